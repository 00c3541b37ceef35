//! `rolebar list`: the profiles, where their keys are, their cached sessions with the time left,
//! the sections Rolebar wrote and the IAM Identity Center sign-ins.

use crate::context::{self, Context};
use rolebar_core::keystore::keys::KeyAge;
use rolebar_core::profile::{CredentialSource, ProfileSet, WrittenSection};
use rolebar_core::session::format_time_left;
use rolebar_core::settings::SettingsFile;
use rolebar_core::HasCode;
use rolebar_core::Result;
use std::collections::BTreeMap;
use std::process::ExitCode;
use time::OffsetDateTime;
use unicode_width::UnicodeWidthStr;

pub fn run() -> Result<ExitCode> {
    let ctx = context::open()?;
    let set = ctx.profiles()?;
    let keys = ctx.vault.keys().list();
    let sessions = ctx.vault.cache().list();
    let mut rows: Vec<[String; 3]> = Vec::new();
    let now = ctx.vault.cache().now();
    let key_notes = key_notes(ctx.vault.keys().ages(), now);
    for name in set.names() {
        // A section Rolebar wrote is its output, not a profile to get sessions from.
        if let Some(written) = set.written_section(name) {
            let [credentials, left] = written_columns(&written, now);
            rows.push([shown(name), credentials, left]);
            continue;
        }
        let credentials = if let Some(k) = keys.get(name) {
            // aws-vault's rule: a role without source_profile assumes itself with these keys.
            let used = if set.role_with_own_keyring_keys(name) {
                ", assume its role"
            } else {
                ""
            };
            match key_notes.get(name) {
                Some(note) => format!("{} (keyring {}{used}, {note})", shown(name), k.masked_key_id),
                None => format!("{} (keyring {}{used})", shown(name), k.masked_key_id),
            }
        } else if set.own_setting(name, "aws_access_key_id").is_some() {
            format!("{} (file)", shown(name))
        } else if set.setting(name, "credential_process").ok().flatten().is_some() {
            // Served by running it (keys stored in the keyring would win, as the row above shows).
            format!("{} (credential_process)", shown(name))
        } else {
            "-".to_string()
        };
        let mine: Vec<String> = sessions
            .iter()
            .filter(|s| s.record.profile == name)
            .map(|s| format!("{}:{}", s.record.kind.label(), format_time_left(s.time_left)))
            .collect();
        let mut sessions_text = if mine.is_empty() {
            "-".to_string()
        } else {
            mine.join(" ")
        };
        if let Ok(resolved) = set.resolve(name) {
            if let CredentialSource::Unsupported { what, .. } = resolved.source {
                sessions_text = format!("(not served: {what})");
            }
        } else if let Err(e) = set.resolve(name) {
            sessions_text = format!("(error: {})", e.code());
        }
        rows.push([shown(name), credentials, sessions_text]);
    }
    rows.extend(sign_in_rows(&ctx, &set, now));
    let width = |i: usize, title: &str| {
        rows.iter()
            .map(|r| r[i].width())
            .chain([title.width()])
            .max()
            .unwrap_or(0)
            + 2
    };
    let (w0, w1) = (width(0, "Profile"), width(1, "Credentials"));
    let heading = [
        ["Profile", "Credentials", "Sessions"],
        ["=======", "===========", "========"],
    ];
    for [a, b, c] in heading {
        println!("{}{}{c}", pad(a, w0), pad(b, w1));
    }
    for [a, b, c] in rows {
        println!("{}{}{c}", pad(&a, w0), pad(&b, w1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `list`'s credentials and sessions columns for a section Rolebar wrote.
fn written_columns(written: &WrittenSection, now: time::OffsetDateTime) -> [String; 2] {
    let credentials = match &written.source_profile {
        Some(source) => format!("written by Rolebar from {}", shown(source)),
        None => "written by Rolebar".to_string(),
    };
    let left = match written.expires_at {
        Some(_) if written.is_expired(now) => "expired (rolebar logout --expired)".to_string(),
        Some(at) => format!("{} left", format_time_left(at - now)),
        None => "-".to_string(),
    };
    [credentials, left]
}

/// A name as `list` prints it: escaped (`dev\nprod`) when it holds a control character, which
/// `add` refuses now but an older Rolebar stored, so one bad name cannot break the table.
fn shown(name: &str) -> String {
    if name.chars().any(char::is_control) {
        name.escape_debug().to_string()
    } else {
        name.to_string()
    }
}

/// `text` followed by spaces up to `width` terminal columns. `{:w$}` counts characters, and a
/// CJK character takes two columns, so `開発-dev` would push its row's columns right.
fn pad(text: &str, width: usize) -> String {
    let mut padded = text.to_string();
    padded.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
    padded
}

/// `list`'s note after a keyring key: "key created 2026-08-01 (121 days)", and "rotate due"
/// once older than `keys.rotate_after`. A settings file that cannot be read gives the default
/// (list must not fail over a reminder setting; the tray reports the file).
fn key_notes(ages: Vec<KeyAge>, now: OffsetDateTime) -> BTreeMap<String, String> {
    let settings = SettingsFile::default_location()
        .map(|file| file.load().keys)
        .unwrap_or_default();
    ages.into_iter()
        .map(|age| {
            let mut note = age.describe(now);
            if settings.due(&age, now) {
                note.push_str(&format!(", rotate due: rolebar rotate {}", age.profile));
            }
            (age.profile, note)
        })
        .collect()
}

/// `list`'s lines for the sign-ins of the config file: each with its time left.
fn sign_in_rows(ctx: &Context, set: &ProfileSet, now: OffsetDateTime) -> Vec<[String; 3]> {
    let Ok(sso) = ctx.vault.sso_access() else {
        return Vec::new();
    };
    set.sso_session_names()
        .into_iter()
        .map(|name| {
            let state = match set.sso_session(name) {
                Ok(Some(session)) => match sso.sso.state(&session) {
                    Ok(Some(state)) if state.expires_at > now => {
                        format!("signed in, {} left", format_time_left(state.expires_at - now))
                    }
                    Ok(Some(state)) if state.can_refresh => "signed in (renewed at the next use)".to_string(),
                    Ok(_) => format!("signed out (rolebar login-sso {name})"),
                    Err(e) => format!("(error: {})", e.code()),
                },
                Ok(None) => "-".to_string(),
                Err(e) => format!("(error: {})", e.code()),
            };
            [
                format!("[sso-session {name}]"),
                "IAM Identity Center".to_string(),
                state,
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_control_characters_show_escaped() {
        assert_eq!(shown("dev\nprod"), "dev\\nprod");
        assert_eq!(shown("開発-dev"), "開発-dev");
    }

    #[test]
    fn list_columns_pad_to_display_width() {
        assert_eq!(pad("開発-dev", 10), "開発-dev  ");
        assert_eq!(pad("dev", 5), "dev  ");
        assert_eq!(pad("longer", 3), "longer");
    }
}
