//! `settings.json` in the Rolebar config folder (`$XDG_CONFIG_HOME/rolebar/settings.json`):
//! every setting Rolebar keeps there, typed, read and changed through one [`SettingsFile`] by
//! every front end. The domain's sections are [`Settings`]; a front end's own preferences (the
//! tray's language, favourites, switcher key) are its own [`Sections`] type, read and written
//! in the same file under the same rules ([`SettingsFile::with_sections`]).
//!
//! ```json
//! {
//!   "expiry": {"warn_before": ["10m", "2m"], "auto_refresh": ["oppara-dev"]},
//!   "language": "ja",
//!   "favourites": ["oppara-dev", "corp-prod"],
//!   "switcher_hotkey": "Ctrl+Alt+P",
//!   "mfa_ykman": true,
//!   "keys": {"rotate_after": 90}
//! }
//! ```
//!
//! Each top-level key is a section, read on its own: a bad value in one is that section's
//! problem (its default applies, the message names the file and the key) while the others are
//! read as written. Keys a set of sections does not know are left as they are. The rules of
//! each section live with what it configures — [`crate::schedule::ExpirySettings`],
//! [`crate::mfa::source`], [`crate::rotation::KeySettings`] —; this module is the file and the
//! sections together.

mod domain;
mod file;
mod sections;

pub use domain::{Section, Settings};
pub use file::SettingsFile;
pub use sections::{from_json, Problems, Sections, SettingsProblem};

#[cfg(test)]
pub(crate) use file::temp_settings_file;
