//! A word as a POSIX shell reads it, for the commands rolebar prints to be run (`exec`'s and
//! `write`'s hints).

/// `word` as one POSIX shell word: as is when it needs no quoting, else single-quoted.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./@:+=,%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("oppara-dev_2.x"), "oppara-dev_2.x");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("開発"), "'開発'");
        assert_eq!(shell_word(""), "''");
    }
}
