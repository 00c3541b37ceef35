//! Property: for any credentials file (comments, CRLF or mixed line ends, odd spacing, duplicate
//! sections, continuation lines, a missing final newline), writing a profile yields a file that
//! parses with the new profile in it, and every other line exactly as it was.
//!
//! Files are generated from a model that knows what each line is, so the expectation does not
//! depend on the code under test classifying lines the same way.

mod support;

use proptest::prelude::*;
use rolebar_core::outputs::credentials_file::{remove_profile, write_profile, Durability, WriteOptions};
use rolebar_core::profile::ini::parse;
use rolebar_core::{Credentials, Session, SessionKind};
use std::path::Path;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);
const TARGET: &str = "target";
const NAMES: [&str; 5] = ["target", "default", "other", "profile target", "x.y-z"];
const KEYS: [&str; 10] = [
    "aws_access_key_id",
    "AWS_Secret_Access_Key",
    "aws_session_token",
    "aws_security_token",
    "aws_account_id",
    "manager",
    "region",
    "output",
    "s3",
    "Custom_Key",
];
/// The stale keys Rolebar drops from the target section (beside the ones it writes).
const DROPPED: [&str; 2] = ["aws_security_token", "aws_account_id"];
const NEW_LINES: [&str; 6] = [
    "aws_access_key_id = ASIAPROPNEW000000001",
    "aws_secret_access_key = prop/New+Secret=",
    "aws_session_token = PropNewToken//==",
    "manager = rolebar",
    "rolebar_expiration = 2026-05-01T11:00:00Z",
    "rolebar_source_profile = oppara-dev",
];

#[derive(Debug, Clone)]
enum Item {
    Comment(String),
    Blank(String),
    /// A key from `KEYS`, a spacing style, a value, and continuation lines below it.
    Prop(usize, u8, String, Vec<String>),
}

#[derive(Debug, Clone)]
struct Model {
    preamble: Vec<Item>,
    /// (name from `NAMES`, header style, body)
    sections: Vec<(usize, u8, Vec<Item>)>,
    crlf: bool,
    /// Lines whose ending flips to the other style.
    flips: Vec<bool>,
    final_newline: bool,
}

/// One generated line: its text and whether Rolebar owns it (an owned key of the first
/// [target], or a continuation of one).
#[derive(Debug, Clone, PartialEq)]
struct GenLine {
    text: String,
    owned: bool,
    header: bool,
}

fn comment() -> impl Strategy<Value = String> {
    ("[#;]", "[ -~]{0,20}", prop::bool::ANY)
        .prop_map(|(mark, text, indent)| format!("{}{mark}{text}", if indent { "  " } else { "" }))
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        2 => comment().prop_map(Item::Comment),
        2 => prop::sample::select(vec!["", "  ", "\t"]).prop_map(|s| Item::Blank(s.to_string())),
        6 => (
            0..KEYS.len(),
            0u8..4,
            "[A-Za-z0-9/+=]{0,12}( [a-z#;]{1,4})?",
            prop::collection::vec(prop::sample::select(vec!["  more", "\tsub = 1", "  k=v", "    deeper text"]).prop_map(String::from), 0..2),
        )
            .prop_map(|(k, style, value, cont)| Item::Prop(k, style, value, cont)),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    (
        prop::collection::vec(
            prop_oneof![comment().prop_map(Item::Comment), Just(Item::Blank(String::new()))],
            0..3,
        ),
        prop::collection::vec((0..NAMES.len(), 0u8..4, prop::collection::vec(item(), 0..6)), 0..6),
        prop::bool::ANY,
        prop::collection::vec(prop::bool::weighted(0.05), 64),
        prop::bool::ANY,
    )
        .prop_map(|(preamble, sections, crlf, flips, final_newline)| Model {
            preamble,
            sections,
            crlf,
            flips,
            final_newline,
        })
}

impl Model {
    fn lines(&self) -> Vec<GenLine> {
        let plain = |text: String| GenLine {
            text,
            owned: false,
            header: false,
        };
        let mut lines = Vec::new();
        for item in &self.preamble {
            if let Item::Comment(t) | Item::Blank(t) = item {
                lines.push(plain(t.clone()));
            }
        }
        let mut seen_target = false;
        for (name, style, body) in &self.sections {
            let name = NAMES[*name];
            let is_target = name == TARGET && !seen_target;
            seen_target |= name == TARGET;
            let header = match style {
                0 => format!("[{name}]"),
                1 => format!("[ {name} ]"),
                2 => format!("  [{name}]  "),
                _ => format!("[{name}] ; note"),
            };
            lines.push(GenLine {
                text: header,
                owned: false,
                header: true,
            });
            let mut keys_used: Vec<String> = Vec::new();
            for item in body {
                match item {
                    Item::Comment(t) | Item::Blank(t) => lines.push(plain(t.clone())),
                    Item::Prop(key, style, value, continuations) => {
                        let key = KEYS[*key];
                        let lower = key.to_ascii_lowercase();
                        if keys_used.contains(&lower) {
                            continue; // a key twice in a section does not parse: not generated
                        }
                        keys_used.push(lower.clone());
                        let text = match style {
                            0 => format!("{key} = {value}"),
                            1 => format!("{key}={value}"),
                            2 => format!("{key} :{value}"),
                            _ => format!("{key}   =   {value}"),
                        };
                        let owned = is_target
                            && (support::WRITTEN_KEYS.contains(&lower.as_str()) || DROPPED.contains(&lower.as_str()));
                        lines.push(GenLine {
                            text,
                            owned,
                            header: false,
                        });
                        for c in continuations {
                            lines.push(GenLine {
                                text: c.clone(),
                                owned,
                                header: false,
                            });
                        }
                    }
                }
            }
        }
        lines
    }

    fn ending(&self, index: usize) -> &'static str {
        let crlf = self.crlf ^ self.flips.get(index).copied().unwrap_or(false);
        if crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    fn text(&self, lines: &[GenLine]) -> String {
        let mut text = String::new();
        for (i, line) in lines.iter().enumerate() {
            text.push_str(&line.text);
            if i + 1 < lines.len() || self.final_newline {
                text.push_str(self.ending(i));
            }
        }
        text
    }
}

fn session() -> Session {
    Session {
        profile: "oppara-dev".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIAPROPNEW000000001", "prop/New+Secret=", "PropNewToken//=="),
        expires_at: NOW + Duration::hours(1),
        issued_at: None,
        mfa_serial: None,
        role_arn: None,
        region: None,
    }
}

/// (text, ending) pairs.
fn split(text: &str) -> Vec<(String, String)> {
    text.split_inclusive('\n')
        .map(|raw| match raw.strip_suffix("\r\n") {
            Some(t) => (t.to_string(), "\r\n".to_string()),
            None => match raw.strip_suffix('\n') {
                Some(t) => (t.to_string(), "\n".to_string()),
                None => (raw.to_string(), String::new()),
            },
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn writing_keeps_every_other_line_and_adds_the_profile(model in model()) {
        let lines = model.lines();
        let original = model.text(&lines);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("credentials");
        std::fs::write(&path, &original).expect("write");
        prop_assume!(parse(Path::new("credentials"), &original).is_ok());

        let options = WriteOptions { force: true, durability: Durability::NoFsync };
        write_profile(&path, TARGET, &session(), None, NOW, options).expect("writes");
        let written = std::fs::read_to_string(&path).expect("read");

        // It parses, and the first [target] holds the new values.
        let file = parse(&path, &written).map_err(|e| TestCaseError::fail(format!("{e:?}\n{written}")))?;
        let section = file.sections.iter().find(|s| s.header == TARGET).expect("target");
        for line in NEW_LINES {
            let (key, value) = line.split_once(" = ").expect("kv");
            prop_assert_eq!(section.get(key).map(|p| p.value.as_str()), Some(value), "{}", written);
        }
        let appended = !model.sections.iter().any(|(name, _, _)| NAMES[*name] == TARGET);
        let before_sections = parse(Path::new("c"), &original).expect("parsed").sections.len();
        prop_assert_eq!(file.sections.len(), before_sections + usize::from(appended));

        // Every other line, in order, with its own line ending.
        let out = split(&written);
        let first_ending = split(&original).into_iter().find(|(_, e)| !e.is_empty()).map_or("\n".to_string(), |(_, e)| e);
        let is_new = |t: &str| NEW_LINES.contains(&t);
        for (i, (text, ending)) in out.iter().enumerate() {
            if is_new(text) && i + 1 < out.len() {
                prop_assert_eq!(ending, &first_ending, "new line {:?} ends in the file's style", text);
            }
        }
        prop_assert_eq!(NEW_LINES.iter().map(|l| out.iter().filter(|(t, _)| t == l).count()).collect::<Vec<_>>(), vec![1; 6]);
        // A missing final newline stays missing, except that an empty last line keeps its
        // terminator (it is nothing else).
        let ends_empty = out.last().is_some_and(|(t, _)| t.is_empty());
        prop_assert_eq!(written.ends_with('\n'), original.is_empty() || original.ends_with('\n') || ends_empty);

        let orig = split(&original);
        let kept: Vec<&(String, String)> = orig.iter().zip(&lines).filter(|(_, g)| !g.owned).map(|(o, _)| o).collect();
        let mut rest: Vec<&(String, String)> = out.iter().filter(|(t, _)| !is_new(t)).collect();
        if appended {
            prop_assert_eq!(rest.pop().map(|(t, _)| t.as_str()), Some("[target]"));
            if rest.len() > kept.len() {
                prop_assert_eq!(rest.pop().map(|(t, _)| t.as_str()), Some(""), "one blank separator");
            }
        }
        prop_assert_eq!(rest.len(), kept.len(), "{:?}\n---\n{:?}", original, written);
        // Without a final newline, whichever line ends the file has no terminator: the line
        // that ended the original may gain one, and the line that now ends the file loses its own.
        let last_original = orig.last().map(|o| o as *const _);
        let last_written = out.last().map(|o| o as *const _);
        for (k, (o, r)) in kept.iter().zip(&rest).enumerate() {
            prop_assert_eq!(&o.0, &r.0);
            let moved_end = !original.ends_with('\n')
                && !r.0.is_empty()
                && (Some(*o as *const _) == last_original || Some(*r as *const _) == last_written);
            if !moved_end {
                prop_assert_eq!(&o.1, &r.1, "line {} keeps its ending", k);
            }
        }

        // Writing the same session again changes nothing.
        write_profile(&path, TARGET, &session(), None, NOW, options).expect("writes again");
        prop_assert_eq!(std::fs::read_to_string(&path).expect("read"), written.clone());

        // A section Rolebar appended comes off again, giving back the original file (when the
        // original did not end in a blank line, which the separator then replaces).
        let ends_blank = orig.last().is_some_and(|(t, _)| t.trim().is_empty());
        if appended && !ends_blank {
            remove_profile(&path, TARGET).expect("removes");
            prop_assert_eq!(std::fs::read_to_string(&path).expect("read"), original);
        }
    }
}
