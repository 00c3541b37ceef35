//! Property tests of the config/credentials reader: no input makes it panic, errors point at a
//! real line, and well-formed files read back exactly what was written.

use proptest::prelude::*;
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::ProfileSet;
use rolebar_core::Error;
use std::path::Path;

fn parse(config: &str, credentials: &str) -> Result<ProfileSet, Error> {
    ProfileSet::parse(Path::new("config"), config, Path::new("credentials"), credentials)
}

/// Lines that look like config lines, broken ones included.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,3}\\[(profile )?[a-z\" -]{0,8}\\]?[ #a-z]{0,4}",
        "[ \t]{0,2}[a-zA-Z_]{1,12}[ ]?[=:]?[ ]?[ -~]{0,20}",
        "[ \t]{0,2}[#;][ -~]{0,20}",
        "[ \t\r]{0,3}",
        "[ -~]{0,30}",
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_input_parses_or_names_a_line(lines in prop::collection::vec(line(), 0..30), crlf in any::<bool>()) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        match parse(&text, "") {
            Ok(set) => {
                // Every listed profile resolves or fails with an error, never a panic.
                for name in set.names().map(str::to_string).collect::<Vec<_>>() {
                    let _ = set.resolve_with(&name, &Environment::default());
                }
            }
            Err(Error::ConfigSyntax { line, .. }) => prop_assert!(line >= 1 && line <= lines.len().max(1)),
            Err(Error::ConfigSyntaxLines { lines: errors, .. }) => {
                prop_assert!(errors.len() >= 2);
                prop_assert!(errors.windows(2).all(|w| w[0].line < w[1].line), "one error a line, in order: {errors:?}");
                prop_assert!(errors.iter().all(|e| e.line >= 1 && e.line <= lines.len().max(1)));
            }
            Err(other) => prop_assert!(false, "unexpected error kind {other:?}"),
        }
    }

    #[test]
    fn written_profiles_read_back(
        profiles in prop::collection::btree_map("[a-z][a-z0-9-]{0,10}", prop::collection::btree_map("[a-z_]{1,10}", "[!-~]{1,20}", 0..5), 1..10),
        crlf in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from("# generated");
        for (name, keys) in &profiles {
            text.push_str(nl);
            text.push_str(&format!("[profile {name}]{nl}"));
            for (k, v) in keys {
                text.push_str(&format!("{k} = {v}{nl}"));
            }
        }
        let set = parse(&text, "").expect("well-formed");
        prop_assert_eq!(set.names().count(), profiles.len());
        for (name, keys) in &profiles {
            for (k, v) in keys {
                prop_assert_eq!(set.own_setting(name, k).map(|s| s.value.to_string()), Some(v.trim().to_string()));
            }
        }
    }
}
