//! The app's two languages: one Fluent catalogue per language (`crates/tray/locales/*.ftl`,
//! compiled in), the language chosen from the settings or the system (`locale`), and the words
//! for times left. The tray, the notifications and the windows all take their text from here;
//! the windows get the resolved messages through the `get_messages` command.
//!
//! Convention (checked by `coverage`): a key is always written whole, as a string literal, in
//! `tr("…")` / `tr_args("…", …)` (Rust), `t("…")` (TypeScript) or a `data-i18n*="…"` attribute
//! (HTML), so a scan of the sources finds every key in use.

#[cfg(test)]
mod coverage;
pub mod locale;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rolebar_core::schedule::TimeLeft;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use time::Duration;

pub use crate::preferences::language::{Language, LanguageSetting};

const EN_FTL: &str = include_str!("../../locales/en.ftl");
const JA_FTL: &str = include_str!("../../locales/ja.ftl");

/// The catalogue of one language.
pub struct Catalog {
    language: Language,
    bundle: FluentBundle<FluentResource>,
    /// Every message id, in file order.
    ids: Vec<String>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("language", &self.language)
            .field("messages", &self.ids.len())
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// The catalogue of `language`, parsed once for the life of the process.
    pub fn get(language: Language) -> &'static Catalog {
        static EN: OnceLock<Catalog> = OnceLock::new();
        static JA: OnceLock<Catalog> = OnceLock::new();
        match language {
            Language::English => EN.get_or_init(|| Catalog::parse(language, EN_FTL)),
            Language::Japanese => JA.get_or_init(|| Catalog::parse(language, JA_FTL)),
        }
    }

    /// The source text of `language`'s catalogue (for the coverage test).
    pub fn source(language: Language) -> &'static str {
        match language {
            Language::English => EN_FTL,
            Language::Japanese => JA_FTL,
        }
    }

    fn parse(language: Language, source: &str) -> Catalog {
        // The catalogues are compiled in and their syntax is tested: an error here is a bug in
        // a release, so keep what parsed and say what did not rather than refusing to start.
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
            tracing::error!(%language, ?errors, "the catalogue has syntax errors; those messages show as keys");
            partial
        });
        let ids = message_ids(&resource);
        let langid = language
            .code()
            .parse()
            .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // Fluent wraps arguments in Unicode isolation marks (for right-to-left text): neither
        // language needs them, and they would break label prefixes ("oppara-dev (role)").
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(%language, ?errors, "the catalogue has duplicate messages");
        }
        Catalog { language, bundle, ids }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The message `key` with no arguments.
    pub fn tr(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with named arguments (strings or numbers).
    pub fn tr_args<'a>(&self, key: &str, args: &[(&'a str, FluentValue<'a>)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(key, Some(&fluent_args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(language = %self.language, key, "no such message");
            return key.to_string();
        };
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::warn!(language = %self.language, key, ?errors, "message formatted with errors");
        }
        text
    }

    /// Every message as a template for the web UI: formatted without arguments, so each
    /// `{ $name }` comes out as `{$name}` for the UI's `t()` to fill (see ui/src/i18n.ts).
    pub fn ui_templates(&self) -> BTreeMap<String, String> {
        self.ids
            .iter()
            .filter_map(|id| {
                let pattern = self.bundle.get_message(id)?.value()?;
                // Missing arguments are what we want here, not errors.
                let mut ignored = Vec::new();
                let text = self.bundle.format_pattern(pattern, None, &mut ignored);
                Some((id.clone(), text.into_owned()))
            })
            .collect()
    }

    /// The tray's time left: whole minutes, rounded down, so a label never promises more time
    /// than there is (`37 min`, `1 h 05 min`, `under 1 min`; `37 分`, `1 時間 5 分`).
    pub fn time_left_label(&self, left: Duration) -> String {
        let minutes = left.whole_minutes().max(0);
        match (minutes / 60, minutes % 60) {
            (0, 0) => self.tr("time-under-minute"),
            (0, m) => self.tr_args("time-minutes", &[("minutes", m.into())]),
            (h, m) => self.tr_args(
                "time-hours-minutes",
                &[
                    ("hours", h.into()),
                    ("minutes", m.into()),
                    ("minutes2", format!("{m:02}").into()),
                ],
            ),
        }
    }

    /// An expiry warning's time left, as rolebar-core rounds it (`2 min`, `1 h 5 min`, `45 s`).
    pub fn warning_left(&self, left: TimeLeft) -> String {
        // i128 from core; FluentValue takes f64 (times left are far below 2^53 seconds).
        let n = |v: i128| FluentValue::from(v as f64);
        match left {
            TimeLeft::Seconds(s) => self.tr_args("time-warn-seconds", &[("seconds", n(s))]),
            TimeLeft::HoursMinutes { hours: 0, minutes } => self.tr_args("time-minutes", &[("minutes", n(minutes))]),
            TimeLeft::HoursMinutes { hours, minutes: 0 } => self.tr_args("time-warn-hours", &[("hours", n(hours))]),
            TimeLeft::HoursMinutes { hours, minutes } => self.tr_args(
                "time-warn-hours-minutes",
                &[("hours", n(hours)), ("minutes", n(minutes))],
            ),
        }
    }
}

/// The ids of the messages of `resource` (terms, comments and junk left out).
fn message_ids(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolebar_core::schedule::TimeLeft;

    fn en() -> &'static Catalog {
        Catalog::get(Language::English)
    }

    fn ja() -> &'static Catalog {
        Catalog::get(Language::Japanese)
    }

    #[test]
    fn both_catalogues_parse_without_errors() {
        for language in Language::ALL {
            let source = Catalog::source(language).to_string();
            if let Err((_, errors)) = FluentResource::try_new(source) {
                panic!("{language}.ftl: {errors:?}");
            }
        }
    }

    #[test]
    fn arguments_are_not_wrapped_in_isolation_marks() {
        let label = en().tr_args("menu-profile-role", &[("profile", "oppara-dev".into())]);
        assert_eq!(label, "oppara-dev (role)");
        let label = ja().tr_args("menu-profile-role", &[("profile", "oppara-dev".into())]);
        assert_eq!(label, "oppara-dev (ロール)");
    }

    #[test]
    fn tray_times_left_read_in_each_language() {
        for (left, english, japanese) in [
            (Duration::seconds(59), "under 1 min", "1 分未満"),
            (Duration::seconds(60), "1 min", "1 分"),
            (Duration::seconds(37 * 60 + 59), "37 min", "37 分"),
            (Duration::minutes(65), "1 h 05 min", "1 時間 5 分"),
            (Duration::seconds(8 * 3600 - 1), "7 h 59 min", "7 時間 59 分"),
        ] {
            assert_eq!(en().time_left_label(left), english);
            assert_eq!(ja().time_left_label(left), japanese);
        }
    }

    #[test]
    fn warning_times_follow_the_core_rounding() {
        for (left, japanese) in [
            (Duration::seconds(45), "45 秒"),
            (Duration::seconds(119), "2 分"),
            (Duration::minutes(60), "1 時間"),
            (Duration::minutes(65), "1 時間 5 分"),
        ] {
            assert_eq!(ja().warning_left(TimeLeft::of(left)), japanese);
        }
        assert_eq!(en().warning_left(TimeLeft::of(Duration::minutes(65))), "1 h 5 min");
    }

    #[test]
    fn plurals_follow_the_language() {
        let body =
            |c: &Catalog, n: i64| c.tr_args("note-copied-body", &[("count", n.into()), ("format", "fish".into())]);
        assert_eq!(body(en(), 1), "1 line for fish is on the clipboard");
        assert_eq!(body(en(), 6), "6 lines for fish are on the clipboard");
        assert_eq!(body(ja(), 6), "fish 用の 6 行をクリップボードに入れました");
    }

    #[test]
    fn ui_templates_keep_their_placeholders() {
        let templates = ja().ui_templates();
        assert_eq!(templates["mfa-heading"], "MFA コードを入力してください");
        assert_eq!(templates["main-busy-renew"], "{$profile} を更新しています…");
        assert_eq!(en().ui_templates().len(), templates.len());
    }

    #[test]
    fn a_missing_key_shows_as_itself() {
        // Not a literal in tr(): the coverage scan would count it as a key in use.
        let key = "no-such-key";
        assert_eq!(en().tr(key), key);
    }
}

/// The user's language setting and what "Auto" means on this system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageChoice {
    pub setting: LanguageSetting,
    pub system: Language,
}

impl LanguageChoice {
    pub fn language(self) -> Language {
        self.setting.resolve(self.system)
    }
}
