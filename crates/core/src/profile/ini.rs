//! The INI dialect of `~/.aws/config` and `~/.aws/credentials`, read the way the AWS CLI
//! (Python's configparser under botocore) reads it, keeping each line's number for errors.
//!
//! Written here rather than taken from aws-config: its parser cannot list profiles, returns them
//! unordered and fails the whole load on one bad line without saying which; we need order, line
//! numbers and per-profile errors.

use std::path::{Path, PathBuf};

/// What a single line is, judged on its own (continuations need context: see [`parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind<'a> {
    Blank,
    Comment,
    /// `[header]` with the text between the brackets, trimmed.
    Section(&'a str),
    /// `key = value` (or `key: value`), key as written (not lower-cased), both trimmed.
    Property {
        key: &'a str,
        value: &'a str,
    },
    /// Anything else: the reason, for an error message.
    Invalid(&'static str),
}

/// Classifies one line (without its line terminator; a trailing `\r` is ignored).
pub fn classify(line: &str) -> LineKind<'_> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return LineKind::Blank;
    }
    if trimmed.starts_with('#') || trimmed.starts_with(';') {
        return LineKind::Comment;
    }
    if let Some(rest) = trimmed.strip_prefix('[') {
        // configparser takes the text up to the last `]`; anything after it is ignored.
        return match rest.rfind(']') {
            Some(end) if !rest[..end].trim().is_empty() => LineKind::Section(rest[..end].trim()),
            Some(_) => LineKind::Invalid("empty section name `[]`"),
            None => LineKind::Invalid("section header without closing `]`"),
        };
    }
    // configparser splits at the first `=` or `:`, whichever comes first.
    match trimmed.find(['=', ':']) {
        Some(0) => LineKind::Invalid("property without a name"),
        Some(at) => LineKind::Property {
            key: trimmed[..at].trim(),
            value: trimmed[at + 1..].trim(),
        },
        None => LineKind::Invalid("expected `key = value`, a `[section]` or a comment"),
    }
}

/// Whether a line starts with whitespace: under a property, such lines continue it.
fn is_indented(line: &str) -> bool {
    line.starts_with([' ', '\t'])
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Lower-cased: keys are case-insensitive for the AWS CLI.
    pub key: String,
    pub value: String,
    pub line: usize,
    /// Indented `key = value` lines below an empty-valued property (`s3 =\n  max_bandwidth = 1`).
    pub sub_properties: Vec<SubProperty>,
}

/// One nested `key = value` line of a [`Property`] (e.g. `endpoint_url` under `sts =`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubProperty {
    /// Lower-cased, as property keys are.
    pub key: String,
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The header text, e.g. `profile dev` or `default`.
    pub header: String,
    pub line: usize,
    pub properties: Vec<Property>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.key == key)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IniFile {
    pub path: PathBuf,
    pub sections: Vec<Section>,
}

/// A syntax error with its place; the caller turns it into `Error::ConfigSyntax`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// How many malformed lines a message spells out. Past a handful, the file is most likely not an
/// AWS config at all, and a message thousands of lines long helps nobody; the rest are counted.
const LISTED_ERRORS: usize = 10;

/// `line 4: …; line 9: …`, for a message naming several malformed lines.
pub fn describe(errors: &[SyntaxError]) -> String {
    let mut text = errors
        .iter()
        .take(LISTED_ERRORS)
        .map(SyntaxError::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if errors.len() > LISTED_ERRORS {
        text.push_str(&format!("; and {} more", errors.len() - LISTED_ERRORS));
    }
    text
}

/// Parses a whole file, refusing it if any line is malformed: a half-read file would let a
/// profile silently lose a key (a dropped `mfa_serial` changes what gets called). The errors name
/// every malformed line, in file order, so one round of fixes is enough.
pub fn parse(path: &Path, text: &str) -> Result<IniFile, Vec<SyntaxError>> {
    match parse_with_errors(path, text) {
        (file, errors) if errors.is_empty() => Ok(file),
        (_, errors) => Err(errors),
    }
}

/// Like [`parse`], but also hands back what could be read past the errors, for callers that add
/// checks of their own (duplicate profiles) to the same list. Never use that file when there are errors.
pub(crate) fn parse_with_errors(path: &Path, text: &str) -> (IniFile, Vec<SyntaxError>) {
    // Windows editors start UTF-8 files with a byte order mark; go-ini (aws-vault) drops it too.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut file = IniFile {
        path: path.to_path_buf(),
        sections: Vec::new(),
    };
    for (index, raw) in text.split('\n').enumerate() {
        let number = index + 1;
        let kind = classify(raw);
        if matches!(kind, LineKind::Blank | LineKind::Comment) {
            continue;
        }
        let current = file.sections.last_mut();
        // An indented line under a property continues it (sub-properties, or a multi-line value).
        if is_indented(raw) && !matches!(kind, LineKind::Section(_)) {
            if let Some(property) = current.and_then(|s| s.properties.last_mut()) {
                match kind {
                    LineKind::Property { key, value }
                        if property.value.is_empty() || !property.sub_properties.is_empty() =>
                    {
                        property.sub_properties.push(SubProperty {
                            key: key.to_ascii_lowercase(),
                            value: value.to_string(),
                            line: number,
                        });
                    }
                    _ => {
                        let text = raw.trim();
                        if !property.value.is_empty() {
                            property.value.push('\n');
                        }
                        property.value.push_str(text);
                    }
                }
                continue;
            }
        }
        match kind {
            LineKind::Section(header) => file.sections.push(Section {
                header: header.to_string(),
                line: number,
                properties: Vec::new(),
            }),
            LineKind::Property { key, value } => {
                let Some(section) = file.sections.last_mut() else {
                    errors.push(SyntaxError {
                        line: number,
                        message: format!("`{key}` is outside any [section]"),
                    });
                    continue;
                };
                let key = key.to_ascii_lowercase();
                if let Some(first) = section.get(&key) {
                    errors.push(SyntaxError {
                        line: number,
                        message: format!(
                            "`{key}` is set twice in [{}] (first on line {})",
                            section.header, first.line
                        ),
                    });
                    continue;
                }
                section.properties.push(Property {
                    key,
                    value: value.to_string(),
                    line: number,
                    sub_properties: Vec::new(),
                });
            }
            LineKind::Invalid(reason) => errors.push(SyntaxError {
                line: number,
                message: reason.to_string(),
            }),
            LineKind::Blank | LineKind::Comment => {}
        }
    }
    (file, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> IniFile {
        parse(Path::new("config"), text).expect("parses")
    }

    #[test]
    fn classifies_the_line_shapes_the_cli_accepts() {
        assert_eq!(classify("  "), LineKind::Blank);
        assert_eq!(classify("; note"), LineKind::Comment);
        assert_eq!(classify("  # note"), LineKind::Comment);
        assert_eq!(classify("[profile x] # trailing"), LineKind::Section("profile x"));
        assert_eq!(classify("[ default ]\r"), LineKind::Section("default"));
        assert_eq!(
            classify("Region : eu-west-1"),
            LineKind::Property {
                key: "Region",
                value: "eu-west-1"
            }
        );
        assert_eq!(classify("a = b=c"), LineKind::Property { key: "a", value: "b=c" });
        assert!(matches!(classify("[oops"), LineKind::Invalid(_)));
        assert!(matches!(classify("no delimiter"), LineKind::Invalid(_)));
        assert!(matches!(classify("= value"), LineKind::Invalid(_)));
    }

    #[test]
    fn keys_are_lower_cased_and_line_numbers_kept() {
        let file = parse_ok("# c\n[default]\nREGION = eu-west-1\r\n\n[profile a]\nrole_arn=x\n");
        assert_eq!(file.sections.len(), 2);
        assert_eq!(
            file.sections[0].get("region").map(|p| (p.value.as_str(), p.line)),
            Some(("eu-west-1", 3))
        );
        assert_eq!(file.sections[1].header, "profile a");
        assert_eq!(file.sections[1].line, 5);
    }

    #[test]
    fn indented_lines_become_sub_properties_or_continue_a_value() {
        let file =
            parse_ok("[default]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style=path\nnote = one\n  two\n");
        let s3 = file.sections[0].get("s3").expect("s3");
        let nested: Vec<_> = s3
            .sub_properties
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str(), p.line))
            .collect();
        assert_eq!(
            nested,
            [("max_concurrent_requests", "10", 3), ("addressing_style", "path", 4)]
        );
        assert_eq!(file.sections[0].get("note").map(|p| p.value.as_str()), Some("one\ntwo"));
    }

    #[test]
    fn errors_name_the_line() {
        let only = |text: &str| match parse(Path::new("c"), text).expect_err(text).as_slice() {
            [one] => one.clone(),
            many => panic!("one error expected: {many:?}"),
        };
        assert_eq!(only("region = x\n").line, 1);
        let err = only("[a]\nx=1\n\nx=2\n");
        assert_eq!(err.line, 4);
        assert!(err.message.contains("line 2"), "{}", err.message);
        assert_eq!(only("[a]\nx=1\ngarbage\n").line, 3);
    }

    #[test]
    fn every_malformed_line_is_named_in_file_order() {
        let text = "region = x\n[a]\nx=1\ngarbage\n[b\nx=2\n[ok]\ny=3\nmore garbage\n";
        let errors = parse(Path::new("c"), text).expect_err("broken");
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 4, 5, 6, 9]);
        let shown = describe(&errors);
        assert!(
            shown.starts_with("line 1: `region` is outside any [section]; line 4: expected `key = value`"),
            "{shown}"
        );
    }

    #[test]
    fn a_long_list_of_errors_is_cut_and_counted() {
        let text = "nonsense\n".repeat(25);
        let errors = parse(Path::new("c"), &text).expect_err("broken");
        assert_eq!(errors.len(), 25);
        let shown = describe(&errors);
        assert!(shown.contains("line 10: ") && !shown.contains("line 11: "), "{shown}");
        assert!(shown.ends_with("; and 15 more"), "{shown}");
    }

    #[test]
    fn a_leading_byte_order_mark_is_not_part_of_the_first_line() {
        let file = parse_ok("\u{feff}[default]\r\nregion = eu-west-1\r\n");
        assert_eq!(file.sections[0].header, "default");
        assert_eq!(file.sections[0].line, 1);
        let file = parse_ok("\u{feff}# comment\n[default]\n");
        assert_eq!(file.sections[0].line, 2);
    }
}
