//! The command line's side of MFA code sources (rolebar-core's `mfa::source`): `--mfa-token`,
//! the "touch your YubiKey" line on stderr, and what happens when a source fails — the terminal
//! prompt with a note when stdin is a terminal (someone is there to type), else the source's
//! error (a script piping into rolebar would otherwise have its input read as a code).

use rolebar_core::mfa::source::{
    CodeSource, MfaSourceError, NoticeHandle, OnSourceFailure, SourceOptions, SourcedPrompt, Touch, TouchNotice,
};
use rolebar_core::mfa::{MfaCode, MfaPrompt};
use rolebar_core::profile::ResolvedProfile;
use rolebar_core::settings::{Section, SettingsFile};
use std::io::IsTerminal;
use std::time::Duration;

/// `--mfa-token CODE`: 6 digits, checked before anything is asked or run.
pub fn parse_token(text: &str) -> Result<MfaCode, String> {
    MfaCode::parse(text).map_err(|e| e.to_string())
}

/// Lines on stderr: nothing to withdraw there, so the notice is a line saying what is awaited.
#[derive(Debug, Default, Clone, Copy)]
pub struct StderrNotice;

impl TouchNotice for StderrNotice {
    fn show(&self, touch: &Touch<'_>) -> NoticeHandle {
        eprintln!("rolebar: {}", waiting_line(touch));
        NoticeHandle::none()
    }

    fn waiting_for_next_code(&self, touch: &Touch<'_>, wait: Duration) {
        eprintln!(
            "rolebar: AWS rejected the code from {}; waiting {} s for the next one…",
            touch.source.label(),
            wait.as_secs()
        );
    }

    fn source_failed(&self, _touch: &Touch<'_>, error: &MfaSourceError) {
        eprintln!("rolebar: {error}; enter the code here instead");
    }
}

/// "touch your YubiKey for oppara-dev (ykman, device 12345)…": what the user has to do.
fn waiting_line(touch: &Touch<'_>) -> String {
    match touch.source {
        CodeSource::Ykman { .. } => format!("touch your YubiKey for {} ({})…", touch.profile, touch.source.label()),
        // A command may wait for a key's touch too, or for a password manager's unlock.
        _ => format!(
            "waiting for {} for {} (touch your key if it blinks)…",
            touch.source.label(),
            touch.profile
        ),
    }
}

/// The product's options for this process: `ROLEBAR_YKMAN`, settings.json's `mfa_ykman`, and
/// the fallback rule (`interactive`: the terminal prompt may be asked after a failed source).
fn options(interactive: bool) -> SourceOptions {
    let mut options = SourceOptions::from_env();
    options.on_failure = if interactive {
        OnSourceFailure::Prompt
    } else {
        OnSourceFailure::Fail
    };
    // A settings file the tray could not read either is reported by the tray; here it only
    // costs the global ykman switch, so say so and go on.
    match SettingsFile::default_location().map(|file| file.load()) {
        Ok(settings) => match settings.problem(Section::MfaYkman) {
            None => options.ykman_everywhere = settings.mfa_ykman,
            Some(e) => tracing::warn!(error = %e, "settings.json: mfa_ykman ignored"),
        },
        Err(e) => tracing::warn!(error = %e, "settings.json: mfa_ykman ignored"),
    }
    options
}

/// `inner` (the terminal prompt) behind the code sources of `profile`, `token` first.
pub fn sourced<'a>(
    profile: &'a ResolvedProfile,
    inner: &'a dyn MfaPrompt,
    token: Option<MfaCode>,
) -> SourcedPrompt<'a> {
    SourcedPrompt::new(profile, inner)
        .with_notice(&StderrNotice)
        .with_explicit(token)
        .with_options(options(std::io::stdin().is_terminal()))
}

/// For commands that never prompt (credential_process, the endpoint's renewals): the sources,
/// and a failed one is the error.
pub fn unattended<'a>(profile: &'a ResolvedProfile, inner: &'a dyn MfaPrompt) -> SourcedPrompt<'a> {
    SourcedPrompt::new(profile, inner)
        .with_notice(&StderrNotice)
        .with_options(options(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_six_digits() {
        assert_eq!(parse_token("123456").expect("ok").expose(), "123456");
        for bad in ["12345", "1234567", "abcdef", ""] {
            assert!(parse_token(bad).expect_err(bad).contains("6 digits"), "{bad}");
        }
    }

    #[test]
    fn the_notice_says_what_to_touch_for_which_profile() {
        let ykman = CodeSource::Ykman {
            device: Some("12345".into()),
            name: "arn:aws:iam::1:mfa/a".into(),
            profile: "base".into(),
        };
        let touch = Touch {
            profile: "oppara-dev",
            mfa_serial: "arn:aws:iam::1:mfa/a",
            source: &ykman,
        };
        assert_eq!(
            waiting_line(&touch),
            "touch your YubiKey for oppara-dev (ykman, device 12345)…"
        );
        let process = CodeSource::Process {
            command: "pass otp aws".into(),
            profile: "base".into(),
        };
        let touch = Touch {
            source: &process,
            ..touch
        };
        assert_eq!(
            waiting_line(&touch),
            "waiting for mfa_process `pass otp aws` of profile base for oppara-dev (touch your key if it blinks)…"
        );
    }
}
