//! The expiry settings in force (the `expiry` section of settings.json, read through
//! `rolebar_core::settings`) and why the file's were not used: what the tray, the schedule and
//! the main window read.

use crate::error::{codes, CommandError};
use crate::views::ExpiryView;
use rolebar_core::schedule::{format_duration, validate_thresholds, ExpirySettings, Schedule, ScheduleError};
use rolebar_core::settings::{Section, Settings, SettingsFile};
use time::Duration;

/// The expiry settings in force, and why the file's were not used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpiryConfig {
    pub settings: ExpirySettings,
    /// Why the file's `expiry` section was not used: the defaults apply.
    pub problem: Option<CommandError>,
}

impl ExpiryConfig {
    /// The `expiry` section of `settings` (the defaults, and the problem, when it was broken).
    pub fn from_settings(settings: &Settings) -> Self {
        ExpiryConfig {
            settings: settings.expiry.clone(),
            problem: settings.problem(Section::Expiry).map(CommandError::from),
        }
    }

    /// The defaults, because there is no settings file at all (no config folder).
    pub fn unavailable(problem: ScheduleError) -> Self {
        ExpiryConfig {
            problem: Some(problem.into()),
            ..ExpiryConfig::default()
        }
    }

    /// The `expiry` section of `file` as it is now, changed by `edit`, checked and saved (the
    /// rest of the file kept). The file is read again under its lock, so what the user wrote by
    /// hand since the start is kept; a section that is broken now is refused, never overwritten.
    pub fn changed(file: &SettingsFile, edit: impl FnOnce(&mut ExpirySettings)) -> Result<ExpiryConfig, CommandError> {
        let saved = file.update(|settings| {
            if let Some(problem) = settings.problem(Section::Expiry) {
                return Err(CommandError::new(
                    codes::SETTINGS_NOT_WRITABLE,
                    format!("fix the settings file first (Rolebar does not overwrite it): {problem}"),
                ));
            }
            edit(&mut settings.expiry);
            settings.expiry.thresholds = validate_thresholds(std::mem::take(&mut settings.expiry.thresholds))?;
            Ok(())
        })?;
        Ok(ExpiryConfig::from_settings(&saved))
    }

    /// Sessions this close to their end show as expiring: the longest threshold (none: never).
    pub fn expiring_within(&self) -> Duration {
        self.settings
            .thresholds
            .iter()
            .copied()
            .max()
            .unwrap_or(Duration::ZERO)
            .max(Duration::ZERO)
    }

    pub fn schedule(&self) -> Schedule {
        Schedule::from_settings(&self.settings).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "expiry warning thresholds refused; using the defaults");
            Schedule::default()
        })
    }

    /// What the main window shows, with where the settings are kept (`file`).
    pub fn view(&self, file: Option<&SettingsFile>) -> ExpiryView {
        let mut thresholds = self.settings.thresholds.clone();
        thresholds.sort_by(|a, b| b.cmp(a));
        ExpiryView {
            warn_before: thresholds.into_iter().map(format_duration).collect(),
            auto_refresh: self.settings.auto_refresh.iter().cloned().collect(),
            expiring_within_seconds: u32::try_from(self.expiring_within().whole_seconds()).unwrap_or(u32::MAX),
            settings_path: file.map(|f| f.path().display().to_string()),
            settings_path_short: file.map(|f| crate::views::tilde_path(f.path(), dirs::home_dir().as_deref())),
            problem: self.problem.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_give_the_expiring_window_and_the_view() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("rolebar").join("settings.json");
        let file = SettingsFile::at(&path);
        let load = || ExpiryConfig::from_settings(&file.load());
        let defaults = load();
        assert_eq!(defaults.problem, None, "a missing file is the defaults");
        assert_eq!(defaults.expiring_within(), Duration::minutes(10));
        let view = defaults.view(Some(&file));
        assert_eq!(view.warn_before, ["10m", "2m"]);
        assert_eq!(view.expiring_within_seconds, 600);
        assert_eq!(view.settings_path, Some(path.display().to_string()));

        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &path,
            r#"{"expiry": {"warn_before": ["2m", "30m"], "auto_refresh": ["oppara-dev"]}}"#,
        )
        .expect("write");
        let custom = load();
        assert_eq!(custom.expiring_within(), Duration::minutes(30));
        assert_eq!(custom.view(Some(&file)).warn_before, ["30m", "2m"]);
        assert_eq!(custom.view(Some(&file)).auto_refresh, ["oppara-dev"]);
        assert_eq!(
            custom.schedule().thresholds(),
            [Duration::minutes(30), Duration::minutes(2)]
        );

        std::fs::write(&path, r#"{"expiry": {"warn_before": ["10"]}}"#).expect("write");
        let bad = load();
        let problem = bad.problem.clone().expect("a problem");
        assert_eq!(problem.code, "invalid_expiry_setting");
        assert!(problem.message.contains("settings.json"), "{}", problem.message);
        assert_eq!(bad.settings, ExpirySettings::default(), "the defaults apply");
        assert_eq!(bad.view(Some(&file)).problem, Some(problem));

        std::fs::write(&path, r#"{"expiry": {"warn_before": []}}"#).expect("write");
        assert_eq!(
            load().expiring_within(),
            Duration::ZERO,
            "no threshold: nothing shows as expiring"
        );
    }
}
