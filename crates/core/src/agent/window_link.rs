//! What the tray and its window process say to each other over a [`super::Link`] (after
//! `subscribe` with role `window`). The payloads the pages read (the MFA question, the messages
//! of a language, an intent) pass through the window process as they are: it shows windows and
//! hands their pages what the tray sent, and keeps no state of its own.
//!
//! Unknown events are ignored by both sides, so either may learn new ones first.

use serde::{Deserialize, Serialize};

/// The events the window process emits to its pages (names the UI listens for; in
/// `ui/src/bindings.ts` as `EVENTS`).
pub mod events {
    /// Sessions, keys or profiles changed: the main window reloads its overview.
    pub const CHANGED: &str = "rolebar://changed";
    /// The tray asks the open main window to do something (payload: the intent).
    pub const INTENT: &str = "rolebar://intent";
    /// The language changed (payload: the messages): every open window redraws in it.
    pub const LANGUAGE: &str = "rolebar://language";
    /// A new question for the open MFA dialog (payload: the request), e.g. after a rejected code.
    pub const MFA_REQUEST: &str = "rolebar://mfa-request";
    /// The tray has quit or crashed: the window says so before the process closes it.
    pub const TRAY_GONE: &str = "rolebar://tray-gone";
}

/// The role a window process subscribes with.
pub const WINDOW_ROLE: &str = "window";

/// The windows the window process shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowLabel {
    Main,
    Mfa,
    Switcher,
}

impl WindowLabel {
    /// The label its Tauri window has (and its capability file names).
    pub fn as_str(self) -> &'static str {
        match self {
            WindowLabel::Main => "main",
            WindowLabel::Mfa => "mfa",
            WindowLabel::Switcher => "switcher",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        match label {
            "main" => Some(WindowLabel::Main),
            "mfa" => Some(WindowLabel::Mfa),
            "switcher" => Some(WindowLabel::Switcher),
            _ => None,
        }
    }
}

/// The tray to the window process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum FromTray {
    /// Open (or raise) `window`. `title`: its title in the language in force (the main window's
    /// is always "Rolebar"). `intent`: what the main window should do (write a session…).
    /// `request`: the MFA question, for the dialog (sent again to an open dialog after a
    /// rejected code).
    Open {
        window: WindowLabel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        intent: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<serde_json::Value>,
    },
    /// Destroy `window` if it is open.
    Close { window: WindowLabel },
    /// Sessions, keys, settings or profiles changed: the main window reloads.
    Changed,
    /// The language changed: every open window redraws with `messages`, the dialogs take their
    /// titles from `titles` (by window label).
    Language {
        messages: serde_json::Value,
        #[serde(default)]
        titles: std::collections::BTreeMap<String, String>,
    },
    /// Exit: the tray quits, or agreed to a [`ToTray::Bye`].
    Quit,
    /// An event this build does not know (from a newer tray).
    #[serde(other)]
    Unknown,
}

/// The window process to the tray.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ToTray {
    /// `window` exists now (the MFA dialog: its question can be shown).
    Created { window: WindowLabel },
    /// `window` is gone, however it was closed (closing the MFA dialog is a cancel).
    Destroyed { window: WindowLabel },
    /// No window has been open for a while: may the process go? `seen` counts the tray's lines
    /// it has read, so the tray can tell whether an `open` is still on its way (then it keeps
    /// the process, which opens that window); else it answers [`FromTray::Quit`] and takes the
    /// process for gone, so no `open` is ever sent to a process on its way out.
    Bye { seen: u64 },
    #[serde(other)]
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lines_read_as_the_protocol_says_and_unknown_events_are_kept_apart() {
        let open: FromTray =
            serde_json::from_value(json!({"event":"open","window":"mfa","title":"MFA","request":{"id":3}}))
                .expect("open");
        assert_eq!(
            open,
            FromTray::Open {
                window: WindowLabel::Mfa,
                title: Some("MFA".into()),
                intent: None,
                request: Some(json!({"id": 3})),
            }
        );
        assert_eq!(
            serde_json::to_value(FromTray::Close {
                window: WindowLabel::Switcher
            })
            .expect("json"),
            json!({"event":"close","window":"switcher"})
        );
        let later: FromTray = serde_json::from_value(json!({"event":"glow","colour":"red"})).expect("unknown");
        assert_eq!(later, FromTray::Unknown);
        let gone: ToTray = serde_json::from_value(json!({"event":"destroyed","window":"main"})).expect("destroyed");
        assert_eq!(
            gone,
            ToTray::Destroyed {
                window: WindowLabel::Main
            }
        );
        assert!(serde_json::from_value::<ToTray>(json!({"event":"created","window":"attic"})).is_err());
    }
}
