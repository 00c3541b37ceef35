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
    pub sub_properties: Vec<(String, String)>,
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

/// Parses a whole file. Stops at the first error: a half-read file would let a profile silently
/// lose a key (a dropped `mfa_serial` changes what gets called), so we refuse instead.
pub fn parse(path: &Path, text: &str) -> Result<IniFile, SyntaxError> {
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
                        property
                            .sub_properties
                            .push((key.to_ascii_lowercase(), value.to_string()));
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
                    return Err(SyntaxError {
                        line: number,
                        message: format!("`{key}` is outside any [section]"),
                    });
                };
                let key = key.to_ascii_lowercase();
                if let Some(first) = section.get(&key) {
                    return Err(SyntaxError {
                        line: number,
                        message: format!(
                            "`{key}` is set twice in [{}] (first on line {})",
                            section.header, first.line
                        ),
                    });
                }
                section.properties.push(Property {
                    key,
                    value: value.to_string(),
                    line: number,
                    sub_properties: Vec::new(),
                });
            }
            LineKind::Invalid(reason) => {
                return Err(SyntaxError {
                    line: number,
                    message: reason.to_string(),
                })
            }
            LineKind::Blank | LineKind::Comment => {}
        }
    }
    Ok(file)
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
        assert_eq!(
            s3.sub_properties,
            vec![
                ("max_concurrent_requests".into(), "10".into()),
                ("addressing_style".into(), "path".into())
            ]
        );
        assert_eq!(file.sections[0].get("note").map(|p| p.value.as_str()), Some("one\ntwo"));
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse(Path::new("c"), "region = x\n").expect_err("outside section");
        assert_eq!(err.line, 1);
        let err = parse(Path::new("c"), "[a]\nx=1\n\nx=2\n").expect_err("duplicate");
        assert_eq!(err.line, 4);
        assert!(err.message.contains("line 2"), "{}", err.message);
        let err = parse(Path::new("c"), "[a]\nx=1\ngarbage\n").expect_err("garbage");
        assert_eq!(err.line, 3);
    }
}
