//! Issue 9 ("Trust"), through the `rolebar` binary: logs that never show a full key id or a
//! secret, profile names `add` refuses and `list` aligns, `exec --duration` telling when it
//! reuses a shorter cached session, and a `write` hint the real AWS CLI runs as printed.

mod support;

use support::{text, World};
use unicode_width::UnicodeWidthChar;

/// The session `exec -- env` ran with: (key id, secret, token).
fn session_from_env(env_output: &str) -> (String, String, String) {
    let var = |name: &str| {
        env_output
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} is set"))
            .to_string()
    };
    (
        var("AWS_ACCESS_KEY_ID"),
        var("AWS_SECRET_ACCESS_KEY"),
        var("AWS_SESSION_TOKEN"),
    )
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn debug_and_trace_logs_never_show_a_full_key_id_secret_or_token() {
    let w = World::new("logs");
    let (id, secret) = w.user();
    for level in ["debug", "trace"] {
        // `add` and a first `exec` that assumes the role with the long-term keys: the AWS SDK
        // loads them into its identity cache, whose debug lines print what it loaded.
        let out = w.rolebar(
            &["add", "default"],
            &format!("{id}\n{secret}\n"),
            &[("ROLEBAR_LOG", level)],
        );
        assert!(out.status.success(), "add: {}", text(&out.stderr));
        let mut logs = text(&out.stderr);
        let out = w.rolebar(
            &["exec", "oppara-dev", "--", "env"],
            "123456\n",
            &[("ROLEBAR_LOG", level)],
        );
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "exec: {}", stderr.len());
        logs.push_str(&stderr);
        let (session_id, session_secret, token) = session_from_env(&text(&out.stdout));
        // The cached session through the same paths (keyring read, no STS call).
        let out = w.rolebar(&["exec", "oppara-dev", "--", "true"], "", &[("ROLEBAR_LOG", level)]);
        assert!(out.status.success());
        logs.push_str(&text(&out.stderr));
        for (what, value) in [
            ("the long-term key id", &id),
            ("the secret", &secret),
            ("the session's key id", &session_id),
            ("the session's secret", &session_secret),
            ("the session token", &token),
        ] {
            // Never the value itself in the failure message: only where it was found.
            assert!(
                !logs.contains(value.as_str()),
                "{what} appears in the ROLEBAR_LOG={level} logs at byte {:?}",
                logs.find(value.as_str())
            );
        }
        // Rolebar's own lines are there (the filter let them through), with the masked id.
        assert!(logs.contains("rolebar::commands"), "no Rolebar log lines at {level}");
        assert!(logs.contains("key=****"), "no masked key id at {level}");
        assert!(w.rolebar(&["clear"], "", &[]).status.success());
    }
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn add_refuses_names_list_would_break_on() {
    let w = World::new("names");
    let (id, secret) = w.user();
    for (name, says) in [
        ("", "empty"),
        ("dev\nprod", "control character"),
        ("dev\u{7}", "control character"),
        (" dev", "space"),
    ] {
        let out = w.rolebar(&["add", name], &format!("{id}\n{secret}\n"), &[]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{name:?} was accepted");
        assert!(
            stderr.contains("cannot be a profile name") && stderr.contains(says),
            "{name:?}: {stderr}"
        );
        assert!(
            !stderr.contains("Enter Access Key ID"),
            "refused before asking: {stderr}"
        );
    }
    let listing = text(&w.rolebar(&["list"], "", &[]).stdout);
    assert_eq!(listing.lines().count(), 2 + 2, "only the config's profiles:\n{listing}");
}

/// The terminal column where each cell of a `list` line starts: the first, and every one after
/// two spaces or more (a cell holds single spaces at most).
fn cell_columns(line: &str) -> Vec<usize> {
    let (mut columns, mut spaces, mut column) = (vec![0], 0, 0);
    for c in line.chars() {
        if c == ' ' {
            spaces += 1;
        } else {
            if spaces >= 2 {
                columns.push(column);
            }
            spaces = 0;
        }
        column += UnicodeWidthChar::width(c).unwrap_or(0);
    }
    columns
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn list_aligns_japanese_names_by_display_width() {
    let w = World::new("widths");
    let mut config = std::fs::read_to_string(w.path("config")).expect("config");
    config
        .push_str("\n[profile 開発-dev]\nregion = ap-northeast-1\n\n[profile 本番-管理者]\nregion = ap-northeast-1\n");
    std::fs::write(w.path("config"), config).expect("config");
    std::fs::write(
        w.path("credentials"),
        "[開発-dev]\naws_access_key_id = AKIA_FAKE_JAPANESE01\naws_secret_access_key = fake\n",
    )
    .expect("credentials");
    let out = w.rolebar(&["list"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let header = cell_columns(listing.lines().next().expect("header"));
    assert_eq!(header.len(), 3, "{listing}");
    for name in ["default", "oppara-dev", "開発-dev", "本番-管理者"] {
        let row = listing
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("row {name}:\n{listing}"));
        assert_eq!(cell_columns(row), header, "{name}'s columns:\n{listing}");
    }
    assert!(listing.contains("開発-dev (file)"), "{listing}");
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn exec_duration_says_when_it_reuses_a_shorter_cached_session() {
    let w = World::new("duration");
    w.add_keys();
    // A 1-hour role session (the default).
    let out = w.rolebar(&["exec", "oppara-dev", "--", "true"], "123456\n", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Asking 2h reuses it (no code asked: stdin is empty) and says so, with the way out.
    let out = w.rolebar(&["exec", "--duration", "2h", "oppara-dev", "--", "true"], "", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("using the cached session for `oppara-dev` (expires in 59m, asked 2h)")
            || stderr.contains("using the cached session for `oppara-dev` (expires in 58m, asked 2h)"),
        "{stderr}"
    );
    assert!(stderr.contains("run `rolebar clear oppara-dev` first"), "{stderr}");

    // No --duration, or a shorter one: the cached session is what was asked for.
    for args in [
        &["exec", "oppara-dev", "--", "true"][..],
        &["exec", "--duration", "30m", "oppara-dev", "--", "true"][..],
        &["exec", "--duration", "1h", "oppara-dev", "--", "true"][..],
    ] {
        let out = w.rolebar(args, "", &[]);
        assert!(out.status.success());
        assert!(text(&out.stderr).is_empty(), "{args:?}: {}", text(&out.stderr));
    }

    // The advice works: a new 2-hour session, and asking 2h again right after is quiet.
    assert!(w.rolebar(&["clear", "oppara-dev"], "", &[]).status.success());
    let out = w.rolebar(
        &["exec", "--duration", "2h", "oppara-dev", "--", "true"],
        "123456\n",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("cached session"), "{}", text(&out.stderr));
    let out = w.rolebar(&["exec", "--duration", "2h", "oppara-dev", "--", "true"], "", &[]);
    assert!(out.status.success());
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

/// The command `write` prints after "Use it with: ", as arguments (the trailing `…` dropped).
fn printed_command(stderr: &str) -> Vec<String> {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Use it with: "))
        .unwrap_or_else(|| panic!("no hint in: {stderr}"));
    let words: Vec<String> = line
        .trim_end_matches('…')
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(words.first().map(String::as_str), Some("aws"), "{line}");
    words[1..].to_vec()
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn the_hint_after_write_runs_with_the_real_aws_cli_when_the_region_is_only_in_default() {
    let w = World::new("hint");
    w.add_keys();
    let out = w.rolebar(&["write", "oppara-dev", "--to", "oppara-dev-creds"], "123456\n", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "write: {stderr}");

    // As printed, plus only what the test's STS needs: the endpoint (no region added here, and
    // the harness unsets every AWS_* variable).
    let run = |args: Vec<String>| {
        let mut all = args;
        all.extend(w.identity_args().map(String::from));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        w.run(&w.aws, &all, "", &[])
    };
    let out = run(printed_command(&stderr));
    assert!(
        out.status.success(),
        "the printed command fails: {}\n{stderr}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains(":assumed-role/developer/"),
        "{}",
        text(&out.stdout)
    );
    // Why it is there: without it the AWS CLI has no region for this profile.
    let out = run(vec!["--profile".into(), "oppara-dev-creds".into()]);
    assert!(!out.status.success(), "the AWS CLI took [default]'s region after all");
    assert!(text(&out.stderr).contains("region"), "{}", text(&out.stderr));

    // With a region of its own, the target needs no --region.
    let mut config = std::fs::read_to_string(w.path("config")).expect("config");
    config.push_str("\n[profile oppara-dev-creds]\nregion = us-east-1\n");
    std::fs::write(w.path("config"), config).expect("config");
    let out = w.rolebar(&["write", "oppara-dev", "--to", "oppara-dev-creds"], "", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "write: {stderr}");
    let args = printed_command(&stderr);
    assert_eq!(args, ["--profile", "oppara-dev-creds"], "{stderr}");
    assert!(run(args).status.success());
    assert!(w.rolebar(&["logout", "oppara-dev-creds"], "", &[]).status.success());
}
