//! The system's language. On Linux (and other Unix but macOS) the POSIX rule for messages: the
//! first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty decides, and a locale the
//! app has no catalogue for (`C`, `POSIX`, `fr_FR`) gives English; a later variable is not
//! consulted then, as the C library would not. On macOS and Windows the user's preferred
//! languages, in order (sys-locale): the first the app speaks wins.

use super::Language;

/// The language for "Auto".
pub fn system_language() -> Language {
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    {
        from_preferred(sys_locale::get_locales())
    }
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    {
        from_posix_env(|name| std::env::var(name).ok())
    }
}

/// The POSIX precedence over `var` (an environment lookup, injectable for tests).
pub fn from_posix_env(var: impl Fn(&str) -> Option<String>) -> Language {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(var)
        .find(|value| !value.is_empty())
        .and_then(|locale| Language::from_locale(&locale))
        .unwrap_or(Language::English)
}

/// The first of the user's preferred languages (BCP 47 tags, most preferred first) that the app
/// has a catalogue for; English when none.
#[cfg_attr(not(any(target_os = "macos", target_os = "windows", test)), allow(dead_code))]
pub fn from_preferred(tags: impl IntoIterator<Item = String>) -> Language {
    tags.into_iter()
        .find_map(|tag| Language::from_locale(&tag))
        .unwrap_or(Language::English)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn posix_order_lc_all_then_lc_messages_then_lang() {
        assert_eq!(from_posix_env(env(&[("LANG", "ja_JP.UTF-8")])), Language::Japanese);
        assert_eq!(
            from_posix_env(env(&[("LANG", "ja_JP.UTF-8"), ("LC_MESSAGES", "en_US.UTF-8")])),
            Language::English
        );
        assert_eq!(
            from_posix_env(env(&[("LC_ALL", "ja_JP.UTF-8"), ("LC_MESSAGES", "en_US.UTF-8")])),
            Language::Japanese
        );
        // Empty counts as unset; C and unknown locales are English and end the search.
        assert_eq!(
            from_posix_env(env(&[("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")])),
            Language::Japanese
        );
        assert_eq!(
            from_posix_env(env(&[("LC_ALL", "C"), ("LANG", "ja_JP.UTF-8")])),
            Language::English
        );
        assert_eq!(from_posix_env(env(&[])), Language::English);
    }

    #[test]
    fn preferred_languages_take_the_first_one_spoken() {
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(from_preferred(tags(&["fr-FR", "ja-JP", "en-US"])), Language::Japanese);
        assert_eq!(from_preferred(tags(&["en-GB", "ja"])), Language::English);
        assert_eq!(from_preferred(tags(&["de"])), Language::English);
    }
}
