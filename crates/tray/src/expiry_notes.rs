//! What an expiry notification says, in the app's language: the warning ("oppara-dev expires in
//! 2 min", with Renew and Dismiss where the server shows buttons), the refresh report, the
//! failure detail, and what a button's key means. Text only: `expiry` shows them.

use crate::actions::RefreshReport;
use crate::error::CommandError;
use crate::i18n::Catalog;
use fluent_bundle::FluentValue;
use rolebar_core::schedule::watched::signed_in_to;
use rolebar_core::schedule::{Warning, WarningKind};
use time::{Duration, OffsetDateTime};

/// The summary of every expiry notification (the body says which profile).
pub const SUMMARY: &str = "Rolebar";
/// The action keys of a warning's buttons (what the server sends back in `ActionInvoked`).
pub const RENEW: &str = "renew";
pub const DISMISS: &str = "dismiss";
/// What notify-rust reports when the notification was closed without an action.
pub const CLOSED: &str = "__closed";

/// A notification's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub summary: String,
    pub body: String,
    /// Buttons as (action key, label), in order.
    pub actions: Vec<(&'static str, String)>,
}

/// The notification for `warning` in the language of `words`: what ends when
/// (`oppara-dev expires in 2 min`, built from the warning's data: the core's own text is the
/// command line's English), then `detail` on a line of its own; Renew and Dismiss buttons when
/// the server can show them, else a line saying where to renew.
pub fn warning_note(warning: &Warning, detail: Option<&str>, with_actions: bool, words: &Catalog) -> Note {
    let profile = ("profile", FluentValue::from(warning.profile.as_str()));
    let sign_in = signed_in_to(warning).is_some();
    let left = || ("left", FluentValue::from(words.warning_left(warning.time_left())));
    let mut body = match (sign_in, warning.kind) {
        (false, WarningKind::Expired) => words.tr_args("note-expired", &[profile]),
        (false, WarningKind::Threshold(_)) => words.tr_args("note-expires-in", &[profile, left()]),
        (true, WarningKind::Expired) => words.tr_args("note-sign-in-expired", &[profile]),
        (true, WarningKind::Threshold(_)) => words.tr_args("note-sign-in-expires-in", &[profile, left()]),
    };
    let (again, again_in_tray) = if sign_in {
        (words.tr("note-sign-in-again"), words.tr("note-sign-in-again-in-tray"))
    } else {
        (words.tr("note-renew"), words.tr("note-renew-in-tray"))
    };
    if let Some(detail) = detail {
        body.push('\n');
        body.push_str(detail);
    }
    let actions = if with_actions {
        vec![(RENEW, again), (DISMISS, words.tr("note-dismiss"))]
    } else {
        body.push('\n');
        body.push_str(&again_in_tray);
        Vec::new()
    };
    Note {
        summary: SUMMARY.to_string(),
        body,
        actions,
    }
}

/// What auto-refresh did: `oppara-dev refreshed`, the new session's time left, the sections
/// rewritten and those that could not be.
pub fn refreshed_note(report: &RefreshReport, now: OffsetDateTime, words: &Catalog) -> Note {
    let left = (report.expires_at - now).max(Duration::ZERO);
    let mut body = words.tr_args("note-refreshed", &[("profile", report.profile.as_str().into())]);
    body.push('\n');
    body.push_str(&words.tr_args("note-refreshed-left", &[("left", words.time_left_label(left).into())]));
    if !report.rewritten.is_empty() {
        let sections: Vec<String> = report.rewritten.iter().map(|t| format!("[{t}]")).collect();
        body.push(' ');
        body.push_str(&words.tr_args("note-rewrote", &[("sections", sections.join(", ").into())]));
    }
    for (target, error) in &report.failed {
        body.push('\n');
        body.push_str(&words.tr_args(
            "note-cannot-rewrite",
            &[
                ("target", target.as_str().into()),
                ("error", error.message.as_str().into()),
            ],
        ));
    }
    Note {
        summary: SUMMARY.to_string(),
        body,
        actions: Vec::new(),
    }
}

/// Why auto-refresh did not renew, as a line under the warning.
pub fn refresh_failed_detail(error: &CommandError, words: &Catalog) -> String {
    if error.code == "mfa_required" {
        words.tr("note-refresh-needs-mfa")
    } else {
        words.tr_args("note-refresh-failed", &[("error", error.message.as_str().into())])
    }
}

/// How a warning's notification ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Renew,
    /// Dismiss, or a click on the notification itself.
    Dismiss,
    /// Closed by the user or the server without an action.
    Closed,
    /// Out of date (a newer warning, the session renewed or gone, or too old): withdrawn.
    Withdraw,
}

/// The reply for an action key from the notification server.
pub fn reply_for_action(key: &str) -> Reply {
    match key {
        RENEW => Reply::Renew,
        CLOSED => Reply::Closed,
        _ => Reply::Dismiss,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use crate::views::{sign_in_refs, SignInView};
    use rolebar_core::schedule::SessionRef;
    use time::macros::datetime;

    fn en() -> &'static Catalog {
        Catalog::get(Language::English)
    }

    const EXPIRES: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

    fn warning(profile: &str, left: Duration, kind: WarningKind) -> Warning {
        Warning {
            key: format!("session:AssumeRole:{profile}"),
            profile: profile.into(),
            expires_at: EXPIRES,
            left,
            kind,
        }
    }

    fn two_min() -> Warning {
        warning(
            "oppara-dev",
            Duration::minutes(2),
            WarningKind::Threshold(Duration::minutes(2)),
        )
    }

    #[test]
    fn a_warning_says_what_ends_when_with_renew_and_dismiss() {
        let note = warning_note(&two_min(), None, true, en());
        assert_eq!(
            note,
            Note {
                summary: "Rolebar".into(),
                body: "oppara-dev expires in 2 min".into(),
                actions: vec![("renew", "Renew".to_string()), ("dismiss", "Dismiss".to_string())],
            }
        );
        let expired = warning("oppara-dev", Duration::ZERO, WarningKind::Expired);
        assert_eq!(warning_note(&expired, None, true, en()).body, "oppara-dev expired");
        let detailed = warning_note(&two_min(), Some("Refreshing it needs an MFA code."), true, en());
        assert_eq!(
            detailed.body,
            "oppara-dev expires in 2 min\nRefreshing it needs an MFA code."
        );
    }

    #[test]
    fn without_buttons_the_warning_says_where_to_renew() {
        let note = warning_note(&two_min(), None, false, en());
        assert!(note.actions.is_empty());
        assert!(note.body.starts_with("oppara-dev expires in 2 min\n"), "{}", note.body);
        assert!(note.body.contains("tray"), "{}", note.body);
    }

    #[test]
    fn in_japanese_the_app_words_the_warning_from_its_data() {
        let ja = Catalog::get(Language::Japanese);
        let long = warning(
            "oppara-dev",
            Duration::minutes(65),
            WarningKind::Threshold(Duration::minutes(65)),
        );
        let note = warning_note(&long, None, true, ja);
        assert_eq!(note.body, "oppara-dev はあと 1 時間 5 分で期限切れになります");
        assert_eq!(
            note.actions,
            [("renew", "更新".to_string()), ("dismiss", "閉じる".to_string())]
        );
        let expired = warning("oppara-dev", Duration::ZERO, WarningKind::Expired);
        assert_eq!(
            warning_note(&expired, None, true, ja).body,
            "oppara-dev の期限が切れました"
        );
        assert_eq!(
            long.text(),
            "oppara-dev expires in 1 h 5 min",
            "the core's own text stays English (the command line)"
        );
    }

    #[test]
    fn sign_ins_are_watched_and_warned_about_with_sign_in_again() {
        let at = EXPIRES;
        let view = |name: &str, can_refresh: bool| SignInView {
            name: name.into(),
            start_url: format!("https://{name}.awsapps.com/start"),
            expires_at: Some(at),
            can_refresh,
            problem: None,
            profiles: vec![],
        };
        let mut broken = view("broken", false);
        broken.problem = Some(CommandError::new("sso_cache_corrupt", "…"));
        let refs = sign_in_refs(&[view("corp", true), view("https://old.awsapps.com/start", false), broken]);
        assert_eq!(
            refs,
            [
                SessionRef::new("sso-sign-in:corp", "corp", at),
                SessionRef::new(
                    "sso-sign-in:https://old.awsapps.com/start",
                    "https://old.awsapps.com/start",
                    at
                )
            ]
        );
        let refs = &refs[1..];
        let warning = Warning {
            key: refs[0].key.clone(),
            profile: refs[0].profile.clone(),
            expires_at: at,
            left: Duration::minutes(2),
            kind: WarningKind::Threshold(Duration::minutes(2)),
        };
        assert_eq!(signed_in_to(&warning), Some("https://old.awsapps.com/start"));
        let note = warning_note(&warning, None, true, en());
        assert_eq!(note.body, "Your sign-in to https://old.awsapps.com/start ends in 2 min");
        assert_eq!(note.actions[0], (RENEW, "Sign in again".to_string()));
        let plain = warning_note(&warning, None, false, en());
        assert!(
            plain.body.ends_with("Sign in again from the Rolebar tray menu."),
            "{}",
            plain.body
        );
        let session = two_min();
        assert_eq!(signed_in_to(&session), None);
    }

    #[test]
    fn the_action_keys_are_what_the_server_sends_back() {
        assert_eq!(reply_for_action("renew"), Reply::Renew);
        assert_eq!(reply_for_action("dismiss"), Reply::Dismiss);
        assert_eq!(reply_for_action("default"), Reply::Dismiss);
        assert_eq!(reply_for_action("__closed"), Reply::Closed);
    }

    #[test]
    fn a_failed_refresh_says_why_under_the_warning() {
        let mfa = CommandError::new("mfa_required", "profile `oppara-dev` needs an MFA code …");
        assert_eq!(refresh_failed_detail(&mfa, en()), "Refreshing it needs an MFA code.");
        let other = CommandError::new("access_denied", "access denied by AWS");
        assert_eq!(
            refresh_failed_detail(&other, en()),
            "Automatic refresh failed: access denied by AWS"
        );
    }

    #[test]
    fn a_refresh_says_what_was_rewritten() {
        let now = datetime!(2026-11-25 12:51 UTC);
        let report = RefreshReport {
            key: "session:AssumeRole:oppara-dev".into(),
            profile: "oppara-dev".into(),
            expires_at: now + Duration::minutes(59) + Duration::seconds(30),
            rewritten: vec!["oppara-dev-creds".into()],
            failed: vec![(
                "legacy".into(),
                CommandError::new("section_not_managed", "[legacy] was edited by hand"),
            )],
        };
        let note = refreshed_note(&report, now, en());
        assert_eq!(note.summary, "Rolebar");
        assert!(note.actions.is_empty());
        assert_eq!(
            note.body,
            "oppara-dev refreshed\nNew session: 59 min left. Rewrote [oppara-dev-creds].\n\
             Cannot rewrite [legacy]: [legacy] was edited by hand"
        );
        let bare = RefreshReport {
            rewritten: vec![],
            failed: vec![],
            ..report
        };
        assert_eq!(
            refreshed_note(&bare, now, en()).body,
            "oppara-dev refreshed\nNew session: 59 min left."
        );
    }
}
