//! What a config-file section header names, read as botocore reads it: the header is split into
//! words as a POSIX shell would (`shlex.split`), and `profile`, `sso-session` and `services`
//! sections need exactly two words, the keyword and a name. Anything else that starts with one of
//! those keywords is no section botocore uses: Rolebar drops it too, with a warning, rather than
//! making up a name from half of it.

/// A config-file section, by its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSection {
    /// `[default]`, `[profile NAME]`, `[profile "NAME WITH SPACES"]`.
    Profile(String),
    /// `[sso-session NAME]`.
    SsoSession(String),
    /// `[services NAME]`: per-service settings (endpoints) a profile names with `services = NAME`.
    Services(String),
    /// Any other section (`[preview]`, `[plugins]`): not read.
    Other,
}

const KEYWORDS: [&str; 3] = ["profile", "sso-session", "services"];

/// The section `header` (the text between the brackets) names, or why botocore ignores it.
pub fn config_section(header: &str) -> Result<ConfigSection, &'static str> {
    if header == "default" {
        return Ok(ConfigSection::Profile("default".into()));
    }
    let Some(keyword) = KEYWORDS.iter().find(|k| header.starts_with(**k)) else {
        return Ok(ConfigSection::Other);
    };
    let words = split_words(header)?;
    let [first, name] = <[String; 2]>::try_from(words).map_err(|words| match words.len() {
        0 | 1 => "it names nothing after the keyword",
        _ => "it has more than one name after the keyword (quote a name with spaces: [profile \"my name\"])",
    })?;
    if first != *keyword {
        return Err("the keyword is not followed by a space");
    }
    if name.is_empty() {
        return Err("the name is empty");
    }
    Ok(match *keyword {
        "profile" => ConfigSection::Profile(name),
        "sso-session" => ConfigSection::SsoSession(name),
        _ => ConfigSection::Services(name),
    })
}

/// `text` split into words as Python's `shlex.split` splits it (POSIX mode, no comments):
/// whitespace separates words; `'…'` is literal; in `"…"` a backslash escapes only `"` and `\`;
/// elsewhere a backslash escapes the next character. Written here because the `shlex` crate
/// follows the shell instead (a word starting with `#` is a comment there, not in botocore).
fn split_words(text: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a quote is not closed"),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("a quote is not closed"),
                        },
                        Some(c) => w.push(c),
                        None => return Err("a quote is not closed"),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("it ends with a lone backslash"),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(header: &str) -> Result<ConfigSection, &'static str> {
        config_section(header)
    }

    #[test]
    fn words_split_as_python_shlex_splits_them() {
        let split = |t: &str| split_words(t).expect(t);
        assert_eq!(split("profile dev"), ["profile", "dev"]);
        assert_eq!(split("profile \t \"a b\""), ["profile", "a b"]);
        assert_eq!(split("profile 'a \"b'"), ["profile", "a \"b"]);
        assert_eq!(split(r#"profile "a\"b\\c\d""#), ["profile", r#"a"b\c\d"#]);
        assert_eq!(split(r"profile a\ b"), ["profile", "a b"]);
        assert_eq!(split("profile x\"y z\"w"), ["profile", "xy zw"]);
        assert_eq!(split("profile \"\""), ["profile", ""]);
        assert_eq!(split("profile dev #x"), ["profile", "dev", "#x"]);
        assert!(split_words("profile \"open").is_err());
        assert!(split_words("profile 'open").is_err());
        assert!(split_words("profile dev\\").is_err());
    }

    #[test]
    fn well_formed_headers_name_their_section() {
        assert_eq!(profile("default"), Ok(ConfigSection::Profile("default".into())));
        assert_eq!(profile("profile dev"), Ok(ConfigSection::Profile("dev".into())));
        assert_eq!(
            profile("profile \"my dev\""),
            Ok(ConfigSection::Profile("my dev".into()))
        );
        assert_eq!(profile("profile default"), Ok(ConfigSection::Profile("default".into())));
        assert_eq!(
            profile("sso-session corp"),
            Ok(ConfigSection::SsoSession("corp".into()))
        );
        assert_eq!(profile("services local"), Ok(ConfigSection::Services("local".into())));
        assert_eq!(profile("preview"), Ok(ConfigSection::Other));
        assert_eq!(profile("dev"), Ok(ConfigSection::Other));
    }

    #[test]
    fn malformed_headers_are_refused_never_half_read() {
        for header in [
            "profile \"personal\" \"otherkey\"",
            "profile \"missing end quote",
            "profile a b",
            "profile",
            "profile \"\"",
            "profiledev",
            "profile dev # note",
            "sso-session a b",
            "services",
        ] {
            assert!(profile(header).is_err(), "{header}: {:?}", profile(header));
        }
    }
}
