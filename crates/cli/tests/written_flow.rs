//! Issue 10 item 7, through the `rolebar` binary: a section Rolebar wrote to the credentials file
//! is listed as Rolebar's output (from which profile, time left or expired), and `exec` of it is
//! refused with what it is and what to use instead (never GetSessionToken with session keys).

mod support;

use support::{text, World};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

fn section(name: &str, source: &str, expires: OffsetDateTime) -> String {
    format!(
        "[{name}]\naws_access_key_id = ASIAFAKEWRITTEN00001\naws_secret_access_key = fake\naws_session_token = fake\n\
         manager = rolebar\nrolebar_expiration = {}\nrolebar_source_profile = {source}\n\n",
        expires.format(&Rfc3339).expect("formats")
    )
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn a_written_section_is_listed_as_written_and_exec_of_it_is_refused() {
    let w = World::new("written");
    let now = OffsetDateTime::now_utc();
    let credentials = section("oppara-dev-session", "oppara-dev", now + Duration::minutes(40))
        + &section("old-session", "oppara-dev", now - Duration::minutes(5));
    std::fs::write(w.path("credentials"), credentials).expect("credentials");

    let out = w.rolebar(&["list"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let row = |name: &str| {
        listing
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("row {name}:\n{listing}"))
            .to_string()
    };
    let live = row("oppara-dev-session");
    assert!(live.contains("written by Rolebar from oppara-dev"), "{live}");
    assert!(
        live.trim_end().ends_with(" left") && (live.contains("39m") || live.contains("40m")),
        "{live}"
    );
    assert!(!live.contains("(file)") && !live.contains("error"), "{live}");
    let old = row("old-session");
    assert!(old.contains("expired"), "{old}");

    let out = w.rolebar(&["exec", "oppara-dev-session", "--", "true"], "", &[]);
    assert!(!out.status.success(), "exec of a written section must be refused");
    let stderr = text(&out.stderr);
    for part in [
        "session Rolebar wrote",
        "from `oppara-dev`",
        "not long-term keys",
        "rolebar exec oppara-dev",
    ] {
        assert!(stderr.contains(part), "{part:?} in {stderr}");
    }
}
