//! Lines a user pastes into a shell to use a session, in the formats of the AWS CLI's
//! `aws configure export-credentials --format` (`env`, `env-no-export`, `powershell`,
//! `windows-cmd`, `fish`, `process`).
//!
//! Variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (when the
//! credentials have one), `AWS_CREDENTIAL_EXPIRATION` (RFC 3339, UTC), and `AWS_REGION` with
//! `AWS_DEFAULT_REGION` when the session has a region (the CLI prints no region; we add it so
//! the pasted lines point tools at the profile's region too).
//!
//! Quoting: a value made only of characters no shell treats specially (letters, digits and
//! `/+=._-:,@`, which covers every real key id, secret, token and region) is printed exactly as
//! the CLI prints it. Any other value is quoted so that every character survives:
//!
//! | format | form | escaping |
//! | --- | --- | --- |
//! | `env`, `env-no-export` | `'…'` | `'` becomes `'\''` |
//! | `fish` | `'…'` | `\` becomes `\\`, `'` becomes `\'` |
//! | `powershell` | `'…'` | each single quote (`'` and its typographic forms ‘ ’ ‚ ‛, which PowerShell treats alike) is doubled |
//! | `windows-cmd` | `set "NAME=…"` | none possible: see below |
//!
//! Windows `cmd` has no way to carry some characters in `set`: `%` always expands (and cannot
//! be escaped on an interactive command line), `!` expands when delayed expansion is on, `"`
//! ends the quoted form, and a line break ends the command. A value holding any of them is an
//! error ([`OutputError::UnexportableValue`]) rather than a line that would set something else.
//! No shell can hold a NUL byte in an environment variable, so NUL is an error in every shell format.

use super::credential_process;
use super::error::OutputError;
use super::text::{rfc3339_utc, zeroizing_concat};
use crate::session::Session;
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// `export AWS_ACCESS_KEY_ID=…` (POSIX shells: bash, zsh, sh).
    Env,
    /// `AWS_ACCESS_KEY_ID=…`, shell variables not exported to child processes.
    EnvNoExport,
    /// `$Env:AWS_ACCESS_KEY_ID="…"`.
    PowerShell,
    /// `set AWS_ACCESS_KEY_ID=…`.
    WindowsCmd,
    /// `set -gx AWS_ACCESS_KEY_ID "…"`.
    Fish,
    /// The `credential_process` JSON.
    Process,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::Env,
        ExportFormat::EnvNoExport,
        ExportFormat::PowerShell,
        ExportFormat::WindowsCmd,
        ExportFormat::Fish,
        ExportFormat::Process,
    ];

    /// The name the AWS CLI uses for `--format`.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Env => "env",
            ExportFormat::EnvNoExport => "env-no-export",
            ExportFormat::PowerShell => "powershell",
            ExportFormat::WindowsCmd => "windows-cmd",
            ExportFormat::Fish => "fish",
            ExportFormat::Process => "process",
        }
    }

    /// A default for the user's shell, from the value of `$SHELL` (a path or a bare name):
    /// fish → `fish`, pwsh/powershell → `powershell`, anything else (or nothing) → `env`.
    pub fn from_shell(shell_path: &str) -> ExportFormat {
        // Split on both separators so a Windows path reads the same on every platform.
        let name = shell_path
            .trim()
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let name = name.strip_suffix(".exe").unwrap_or(&name);
        match name {
            "fish" => ExportFormat::Fish,
            "pwsh" | "powershell" => ExportFormat::PowerShell,
            _ => ExportFormat::Env,
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ExportFormat {
    type Err = OutputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExportFormat::ALL
            .into_iter()
            .find(|format| format.name() == s)
            .ok_or_else(|| OutputError::UnknownExportFormat { given: s.to_string() })
    }
}

/// The text for `format`: one line per variable, each ending in `\n` (or the JSON for `process`).
pub fn export_lines(session: &Session, format: ExportFormat) -> Result<Zeroizing<String>, OutputError> {
    let syntax = match format {
        ExportFormat::Env => Syntax::Posix { export: true },
        ExportFormat::EnvNoExport => Syntax::Posix { export: false },
        ExportFormat::PowerShell => Syntax::PowerShell,
        ExportFormat::WindowsCmd => Syntax::Cmd,
        ExportFormat::Fish => Syntax::Fish,
        ExportFormat::Process => return credential_process::to_json(session),
    };
    let expiration = rfc3339_utc(session.expires_at)?;
    let credentials = &session.credentials;
    let mut variables: Vec<(&'static str, &str)> = vec![
        ("AWS_ACCESS_KEY_ID", &credentials.access_key_id),
        ("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key.expose()),
    ];
    if let Some(token) = &credentials.session_token {
        variables.push(("AWS_SESSION_TOKEN", token.expose()));
    }
    variables.push(("AWS_CREDENTIAL_EXPIRATION", &expiration));
    if let Some(region) = &session.region {
        variables.push(("AWS_REGION", region));
        variables.push(("AWS_DEFAULT_REGION", region));
    }

    let mut lines: Vec<Zeroizing<String>> = Vec::with_capacity(variables.len());
    for (name, value) in variables {
        lines.push(line(syntax, format.name(), name, value)?);
    }
    Ok(zeroizing_concat(lines.iter().flat_map(|l| [l.as_str(), "\n"])))
}

/// Characters printed bare (or inside the CLI's double quotes) in every format.
fn is_plain(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/+=._-:,@".contains(&b))
}

/// The shell formats: how each writes one variable on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Posix { export: bool },
    PowerShell,
    Cmd,
    Fish,
}

fn line(
    syntax: Syntax,
    format: &'static str,
    name: &'static str,
    value: &str,
) -> Result<Zeroizing<String>, OutputError> {
    let unexportable = |reason, instead| OutputError::UnexportableValue {
        format,
        variable: name,
        reason,
        instead,
    };
    if value.contains('\0') {
        return Err(unexportable(
            "contains a NUL byte, which no environment variable can hold",
            "the process format",
        ));
    }
    let plain = is_plain(value);
    let text = match syntax {
        Syntax::Posix { export } => {
            let prefix = if export { "export " } else { "" };
            let quoted = if plain {
                Zeroizing::new(value.to_string())
            } else {
                posix_quote(value)
            };
            zeroizing_concat([prefix, name, "=", quoted.as_str()].into_iter())
        }
        Syntax::PowerShell => {
            let quoted = if plain {
                zeroizing_concat(["\"", value, "\""].into_iter())
            } else {
                powershell_quote(value)
            };
            zeroizing_concat(["$Env:", name, "=", quoted.as_str()].into_iter())
        }
        Syntax::Fish => {
            let quoted = if plain {
                zeroizing_concat(["\"", value, "\""].into_iter())
            } else {
                fish_quote(value)
            };
            zeroizing_concat(["set -gx ", name, " ", quoted.as_str()].into_iter())
        }
        Syntax::Cmd => {
            if plain {
                zeroizing_concat(["set ", name, "=", value].into_iter())
            } else {
                if let Some(reason) = cmd_cannot_carry(value) {
                    return Err(unexportable(reason, "the powershell format"));
                }
                // Inside the quotes `&|<>^()` and spaces are taken literally; the closing quote
                // ends the value, so nothing after it (trailing spaces) slips in.
                zeroizing_concat(["set \"", name, "=", value, "\""].into_iter())
            }
        }
    };
    Ok(text)
}

fn cmd_cannot_carry(value: &str) -> Option<&'static str> {
    if value.contains('%') {
        Some("contains `%`, which cmd expands")
    } else if value.contains('!') {
        Some("contains `!`, which cmd expands when delayed expansion is on")
    } else if value.contains('"') {
        Some("contains `\"`, which ends cmd's quoted form")
    } else if value.contains(['\n', '\r']) {
        Some("contains a line break, which ends a cmd command")
    } else {
        None
    }
}

/// `'…'` with each `'` written `'\''` (close, escaped quote, reopen): bash, zsh, dash, ksh.
fn posix_quote(value: &str) -> Zeroizing<String> {
    quote_with(value, "'", |c, out| {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    })
}

/// fish's single quotes: only `\\` and `\'` are escapes inside them.
fn fish_quote(value: &str) -> Zeroizing<String> {
    quote_with(value, "'", |c, out| {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    })
}

/// PowerShell's verbatim single quotes: a quote character is written twice. PowerShell takes
/// the typographic single quotes ‘ ’ ‚ ‛ as quote characters too, so they are doubled as well.
fn powershell_quote(value: &str) -> Zeroizing<String> {
    quote_with(value, "'", |c, out| {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    })
}

fn quote_with(value: &str, quote: &str, mut escape: impl FnMut(char, &mut String)) -> Zeroizing<String> {
    // Every character at most quadruples (`'` → `'\''`): reserve that so there is one allocation.
    let mut out = Zeroizing::new(String::with_capacity(4 * value.len() + 2 * quote.len()));
    out.push_str(quote);
    for c in value.chars() {
        escape(c, &mut out);
    }
    out.push_str(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::error_code::HasCode;
    use crate::session::SessionKind;
    use time::macros::datetime;

    fn session(secret: &str, region: Option<&str>) -> Session {
        Session {
            profile: "dev".into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAEXAMPLE", secret, "TOKEN/x+y="),
            expires_at: datetime!(2026-05-01 12:00:00 UTC),
            issued_at: None,
            mfa_serial: None,
            role_arn: None,
            region: region.map(str::to_string),
        }
    }

    #[test]
    fn plain_values_print_exactly_as_the_cli_prints_them() {
        let s = session("abc/DEF+g=", None);
        let env = export_lines(&s, ExportFormat::Env).expect("env");
        assert_eq!(
            env.as_str(),
            "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=abc/DEF+g=\n\
             export AWS_SESSION_TOKEN=TOKEN/x+y=\nexport AWS_CREDENTIAL_EXPIRATION=2026-05-01T12:00:00Z\n"
        );
        let ps = export_lines(&s, ExportFormat::PowerShell).expect("ps");
        assert!(
            ps.starts_with("$Env:AWS_ACCESS_KEY_ID=\"ASIAEXAMPLE\"\n"),
            "{}",
            ps.as_str()
        );
        let fish = export_lines(&s, ExportFormat::Fish).expect("fish");
        assert!(
            fish.starts_with("set -gx AWS_ACCESS_KEY_ID \"ASIAEXAMPLE\"\n"),
            "{}",
            fish.as_str()
        );
        let cmd = export_lines(&s, ExportFormat::WindowsCmd).expect("cmd");
        assert!(
            cmd.starts_with("set AWS_ACCESS_KEY_ID=ASIAEXAMPLE\n"),
            "{}",
            cmd.as_str()
        );
        let plain = export_lines(&s, ExportFormat::EnvNoExport).expect("plain");
        assert!(
            plain.starts_with("AWS_ACCESS_KEY_ID=ASIAEXAMPLE\n"),
            "{}",
            plain.as_str()
        );
    }

    #[test]
    fn region_sets_both_region_variables() {
        let text = export_lines(&session("s", Some("eu-west-1")), ExportFormat::Env).expect("env");
        assert!(
            text.ends_with("export AWS_REGION=eu-west-1\nexport AWS_DEFAULT_REGION=eu-west-1\n"),
            "{}",
            text.as_str()
        );
    }

    #[test]
    fn quoting_rules() {
        assert_eq!(posix_quote("it's").as_str(), "'it'\\''s'");
        assert_eq!(fish_quote("a\\b'c").as_str(), "'a\\\\b\\'c'");
        assert_eq!(powershell_quote("it's ‘x’").as_str(), "'it''s ‘‘x’’'");
    }

    #[test]
    fn cmd_refuses_what_it_cannot_carry_without_showing_the_value() {
        for bad in ["50%off", "a!b", "a\"b", "a\nb", "a\rb"] {
            let err = export_lines(&session(bad, None), ExportFormat::WindowsCmd).expect_err(bad);
            assert_eq!(err.code(), "unexportable_value");
            assert!(!err.to_string().contains(bad), "{err}");
            assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
        }
        let ok = export_lines(&session("a b&c|d<e>f^g'h$i`j\\k", None), ExportFormat::WindowsCmd).expect("cmd");
        assert!(
            ok.contains("set \"AWS_SECRET_ACCESS_KEY=a b&c|d<e>f^g'h$i`j\\k\"\n"),
            "{}",
            ok.as_str()
        );
    }

    #[test]
    fn nul_is_refused_in_every_shell_format() {
        for format in ExportFormat::ALL.into_iter().filter(|f| *f != ExportFormat::Process) {
            let err = export_lines(&session("a\0b", None), format).expect_err("nul");
            assert_eq!(err.code(), "unexportable_value");
        }
        assert!(export_lines(&session("a\0b", None), ExportFormat::Process).is_ok());
    }

    #[test]
    fn names_round_trip_and_shells_choose_a_default() {
        for format in ExportFormat::ALL {
            assert_eq!(format.to_string().parse::<ExportFormat>().expect("parses"), format);
        }
        assert_eq!(
            "bash".parse::<ExportFormat>().expect_err("unknown").code(),
            "unknown_export_format"
        );
        assert_eq!(ExportFormat::from_shell("/usr/bin/fish"), ExportFormat::Fish);
        assert_eq!(
            ExportFormat::from_shell("/opt/microsoft/powershell/7/pwsh"),
            ExportFormat::PowerShell
        );
        assert_eq!(
            ExportFormat::from_shell("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"),
            ExportFormat::PowerShell
        );
        assert_eq!(ExportFormat::from_shell("powershell.exe"), ExportFormat::PowerShell);
        assert_eq!(ExportFormat::from_shell("/bin/zsh"), ExportFormat::Env);
        assert_eq!(ExportFormat::from_shell(""), ExportFormat::Env);
    }
}
