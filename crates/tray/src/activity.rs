//! What the tray shows besides profiles and sessions: the work in progress and the failures
//! (`Activity`), and the profiles kept at hand (`Shortcuts`). Held by the app's state, drawn by
//! the menu.

use crate::views::AgentOffView;

/// What the app is busy with, shown as disabled lines in the menu.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// Profiles being assumed right now (waiting for MFA or STS).
    pub busy: Vec<String>,
    /// The last failure from a tray action, until the next success.
    pub last_error: Option<String>,
    /// Profiles served to containers (`serving`), with the endpoint's address.
    pub serving: Vec<(String, String)>,
    /// IAM Identity Center sign-ins waiting for the browser, by name.
    pub signing_in: Vec<String>,
    /// Why the credentials agent is off, when it could not start.
    pub agent_off: Option<AgentOffView>,
}

/// Profiles kept at hand: the last assumed (newest first) and those pinned as favourites.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shortcuts {
    pub recent: Vec<String>,
    pub favourites: Vec<String>,
}
