//! What to do at a warning: tell the user, renew quietly, or leave it — the refresh policy every
//! front end follows, so the tray and any later front end renew (and refrain) alike.
//!
//! The policy also guards against chasing its own tail: a session that auto-refresh made and that
//! is already inside a warning time would be renewed again and again; [`Refreshed`] remembers what
//! auto-refresh made, and [`plan`] leaves such a session alone at that threshold.

use super::{ExpirySettings, SessionRef, Warning, WarningKind};
use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// Auto-refresh never renews a session it made less than this before (see [`plan`]).
pub const MIN_REFRESH_GAP: Duration = Duration::minutes(5);

/// What to do with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Show it (with Renew).
    Notify,
    /// Renew without asking first; show it only if that fails.
    AutoRefresh,
    /// Nothing: the session was just made by auto-refresh (which said so).
    Skip,
}

/// Auto-refresh is for threshold warnings of the profiles listed in `auto_refresh`: before the
/// end, while the session (and the credentials-file sections written from it) still works. At
/// the end itself the user is told.
///
/// `born_left` is the time left when auto-refresh made the warned session (`None` when it did
/// not make it). A session that reaches threshold `t` less than [`MIN_REFRESH_GAP`] after
/// auto-refresh made it (sessions hardly longer than the threshold, or born inside it) is left
/// alone at that threshold: renewing it would only make another such session, again and again.
/// It is renewed at a later (shorter) threshold, or its end is warned about as usual.
pub fn plan(warning: &Warning, settings: &ExpirySettings, born_left: Option<Duration>) -> Plan {
    match warning.kind {
        WarningKind::Threshold(t) if settings.auto_refresh_enabled(&warning.profile) => match born_left {
            Some(born) if born - t < MIN_REFRESH_GAP => Plan::Skip,
            _ => Plan::AutoRefresh,
        },
        _ => Plan::Notify,
    }
}

/// A sign-in's warning: renewed quietly when it can be (its refresh token), except at a threshold
/// its token was renewed inside of (`born_left`, as for auto-refresh: a token hardly longer than
/// the threshold would be renewed again and again); told when it cannot be.
pub fn sign_in_plan(warning: &Warning, can_refresh: bool, born_left: Option<Duration>) -> Plan {
    if !can_refresh {
        return Plan::Notify;
    }
    match (warning.kind, born_left) {
        (WarningKind::Threshold(t), Some(born)) if born - t < MIN_REFRESH_GAP => Plan::Skip,
        _ => Plan::AutoRefresh,
    }
}

/// The sessions (and sign-in tokens) auto-refresh made, by schedule key: their `expires_at` and
/// the time they had left then, for [`plan`]'s `born_left`.
#[derive(Debug, Default)]
pub struct Refreshed {
    made: Mutex<HashMap<String, (OffsetDateTime, Duration)>>,
}

impl Refreshed {
    /// `key`'s new session (or sign-in token) ending at `expires_at` was made at `now`.
    pub fn made_now(&self, key: &str, expires_at: OffsetDateTime, now: OffsetDateTime) {
        let mut made = self.made.lock().unwrap_or_else(|p| p.into_inner());
        made.insert(key.to_string(), (expires_at, expires_at - now));
    }

    /// The time `warning`'s session had left when auto-refresh made it, if it did.
    pub fn born_left(&self, warning: &Warning) -> Option<Duration> {
        let made = self.made.lock().unwrap_or_else(|p| p.into_inner());
        made.get(&warning.key)
            .filter(|(expires_at, _)| *expires_at == warning.expires_at)
            .map(|(_, left)| *left)
    }
}

/// Whether the warned session is still the one under its key.
pub fn still_current(warning: &Warning, sessions: &[SessionRef]) -> bool {
    sessions
        .iter()
        .any(|s| s.key == warning.key && s.expires_at == warning.expires_at)
}

/// Whether the warned session was renewed since (a later one under the same key).
pub fn renewed_since(warning: &Warning, sessions: &[SessionRef]) -> bool {
    sessions
        .iter()
        .any(|s| s.key == warning.key && s.expires_at > warning.expires_at)
}
