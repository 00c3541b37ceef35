//! Export lines for every shell: golden files, and round trips through the quoting rules.
//!
//! The goldens are in `tests/golden/`; after a deliberate change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo nextest run -p rolebar-core outputs_exports` and review the diff.
//!
//! POSIX formats go through a real `bash` (and `sh`) when present. fish and PowerShell lines go
//! through a small parser of each shell's quoting rules written here, and through `fish` or
//! `pwsh` as well when that binary is installed.

use rolebar_core::outputs::credential_process::{self, CREDENTIAL_PROCESS_MIN_LEFT};
use rolebar_core::outputs::{export_lines, ExportFormat};
use rolebar_core::HasCode;
use rolebar_core::{Credentials, Session, SessionKind};
use std::path::{Path, PathBuf};
use std::process::Command;
use time::macros::datetime;

/// Every character the shells treat specially: `'`, `"`, `$`, `\`, space, `!`, backtick.
const NASTY: &str = "it's \"q\" $HOME \\n !x `id`";
/// The same minus what cmd cannot carry (`"`, `%`, `!`), plus what only cmd treats specially.
const CMD_NASTY: &str = "it's $HOME \\n `id` a&b|c<d>e^f (g)";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+==";

fn session(secret: &str, region: Option<&str>) -> Session {
    Session {
        profile: "dev".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIAEXAMPLEKEY000001", secret, TOKEN),
        expires_at: datetime!(2026-05-01 21:00:00 +09:00),
        issued_at: None,
        mfa_serial: None,
        role_arn: None,
        region: region.map(str::to_string),
    }
}

fn expected_vars(secret: &str, region: Option<&str>) -> Vec<(String, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEKEY000001"),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_SESSION_TOKEN", TOKEN),
        ("AWS_CREDENTIAL_EXPIRATION", "2026-05-01T12:00:00Z"),
    ];
    if let Some(region) = region {
        vars.push(("AWS_REGION", region));
        vars.push(("AWS_DEFAULT_REGION", region));
    }
    vars.into_iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn check_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("update golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

fn golden_name(format: ExportFormat) -> String {
    match format {
        ExportFormat::Process => "export-process.json".to_string(),
        other => format!("export-{other}.txt"),
    }
}

#[test]
fn every_format_matches_its_golden_file() {
    for format in ExportFormat::ALL {
        let secret = if format == ExportFormat::WindowsCmd {
            CMD_NASTY
        } else {
            NASTY
        };
        let text = export_lines(&session(secret, Some("eu-west-1")), format).expect("exports");
        check_golden(&golden_name(format), &text);
    }
}

#[test]
fn cmd_refuses_a_value_it_cannot_carry() {
    let err = export_lines(&session(NASTY, None), ExportFormat::WindowsCmd).expect_err("cmd cannot");
    assert_eq!(err.code(), "unexportable_value");
    let message = err.to_string();
    assert!(
        message.contains("AWS_SECRET_ACCESS_KEY") && message.contains("powershell"),
        "{message}"
    );
    assert!(!message.contains(NASTY), "{message}");
}

fn secrets() -> Vec<String> {
    let mut all: Vec<String> = [
        NASTY,
        "plain/Base64+secret=",
        "'",
        "''",
        "\\'",
        "\\",
        "a\\\\b",
        "trailing space ",
        " leading",
        "new\nline",
        "tab\there",
        "ünïcødé ‘quoted’ “double” — ok",
        "$(echo pwned)",
        "${HOME}",
        "*?[a-z]",
        "~/tilde",
        "#hash ;semi &amp |pipe",
        "-starts-with-dash",
        "%PATH% !bang!",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    all.push(
        (1u8..=127)
            .filter(|b| *b != b'\n' && *b != b'\r')
            .map(char::from)
            .collect(),
    );
    all
}

/// Runs the POSIX lines in a shell and prints each variable, NUL-separated.
fn posix_round_trip(shell: &str, lines: &str, names: &[String], exported: bool) -> Option<Vec<String>> {
    let print = if exported {
        // From a child process: only exported variables get there.
        names
            .iter()
            .map(|n| format!("printenv {n}; printf '\\0';"))
            .collect::<String>()
    } else {
        names
            .iter()
            .map(|n| format!("printf '%s\\0' \"${n}\";"))
            .collect::<String>()
    };
    let output = Command::new(shell)
        .arg("-c")
        .arg(format!("{lines}\n{print}"))
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "{shell} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let mut values: Vec<String> = text.split('\0').map(str::to_string).collect();
    values.pop();
    if exported {
        // printenv adds a newline after each value.
        for v in &mut values {
            assert!(v.ends_with('\n'), "{v:?}");
            v.pop();
        }
    }
    Some(values)
}

#[test]
fn posix_lines_survive_bash_and_sh() {
    let mut ran = 0;
    for secret in secrets() {
        let expected = expected_vars(&secret, Some("eu-west-1"));
        let names: Vec<String> = expected.iter().map(|(n, _)| n.clone()).collect();
        let values: Vec<String> = expected.iter().map(|(_, v)| v.clone()).collect();
        for (format, exported) in [(ExportFormat::Env, true), (ExportFormat::EnvNoExport, false)] {
            let lines = export_lines(&session(&secret, Some("eu-west-1")), format).expect("exports");
            for shell in ["bash", "sh"] {
                if let Some(got) = posix_round_trip(shell, &lines, &names, exported) {
                    assert_eq!(got, values, "{shell} {format} {secret:?}\n{}", lines.as_str());
                    ran += 1;
                }
            }
        }
    }
    if ran == 0 {
        eprintln!("note: no bash or sh found; POSIX round trips not run");
    }
}

/// fish's rules for one argument word: single quotes (only `\\` and `\'` escape), or double quotes
/// (`\\`, `\"`, `\$` escape; a bare `$` would expand, which our plain values never contain).
fn fish_word(word: &str) -> String {
    let mut chars = word.chars();
    let quote = chars.next().expect("quoted");
    assert!(word.ends_with(quote) && word.len() >= 2, "{word:?}");
    let mut out = String::new();
    let inner: Vec<char> = word[1..word.len() - 1].chars().collect();
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        let escapable: &[char] = if quote == '\'' {
            &['\\', '\'']
        } else {
            &['\\', '"', '$']
        };
        if c == '\\' && i + 1 < inner.len() && escapable.contains(&inner[i + 1]) {
            out.push(inner[i + 1]);
            i += 2;
            continue;
        }
        assert!(c != quote, "unescaped quote in {word:?}");
        assert!(!(quote == '"' && c == '$'), "expanding `$` in {word:?}");
        out.push(c);
        i += 1;
    }
    out
}

/// PowerShell's rules: '…' is verbatim with any single-quote character doubled (' ‘ ’ ‚ ‛ are all
/// single quotes to it); "…" expands `$` and backtick escapes, which our plain values never contain.
fn powershell_string(word: &str) -> String {
    const SINGLE: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    let chars: Vec<char> = word.chars().collect();
    let (first, last) = (chars[0], chars[chars.len() - 1]);
    let inner = &chars[1..chars.len() - 1];
    let mut out = String::new();
    if first == '"' {
        assert_eq!(last, '"');
        for &c in inner {
            assert!(
                !matches!(c, '"' | '$' | '`' | '\u{201C}' | '\u{201D}' | '\u{201E}'),
                "{word:?}"
            );
            out.push(c);
        }
        return out;
    }
    assert!(SINGLE.contains(&first) && SINGLE.contains(&last), "{word:?}");
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if SINGLE.contains(&c) {
            assert!(
                i + 1 < inner.len() && SINGLE.contains(&inner[i + 1]),
                "lone quote in {word:?}"
            );
            out.push(c);
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Splits text into lines as the shells read them: a line break inside quotes belongs to the value.
fn statements(text: &str, single_quote_escapes: bool) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if c == '\n' => {
                statements.push(std::mem::take(&mut current));
                continue;
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some('\'') if single_quote_escapes && c == '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
                continue;
            }
            Some(q) if c == q => quote = None,
            _ => {}
        }
        current.push(c);
    }
    assert!(current.is_empty() && quote.is_none(), "unterminated: {current:?}");
    statements
}

fn parse_fish(text: &str) -> Vec<(String, String)> {
    statements(text, true)
        .into_iter()
        .map(|line| {
            let rest = line.strip_prefix("set -gx ").expect("set -gx");
            let (name, word) = rest.split_once(' ').expect("name and value");
            (name.to_string(), fish_word(word))
        })
        .collect()
}

fn parse_powershell(text: &str) -> Vec<(String, String)> {
    // PowerShell has no backslash escapes in '…', and doubled quotes reopen: a plain scan works
    // because a doubled quote closes and reopens the string.
    statements(text, false)
        .into_iter()
        .map(|line| {
            let rest = line.strip_prefix("$Env:").expect("$Env:");
            let (name, word) = rest.split_once('=').expect("name=value");
            (name.to_string(), powershell_string(word))
        })
        .collect()
}

fn parse_cmd(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|line| {
            let rest = line.strip_prefix("set ").expect("set");
            let inner = match rest.strip_prefix('"') {
                Some(quoted) => quoted.strip_suffix('"').expect("closing quote"),
                None => rest,
            };
            let (name, value) = inner.split_once('=').expect("name=value");
            (name.to_string(), value.to_string())
        })
        .collect()
}

#[test]
fn fish_and_powershell_lines_read_back_under_their_quoting_rules() {
    for secret in secrets() {
        let s = session(&secret, Some("eu-west-1"));
        let expected = expected_vars(&secret, Some("eu-west-1"));
        let fish = export_lines(&s, ExportFormat::Fish).expect("fish");
        assert_eq!(parse_fish(&fish), expected, "{}", fish.as_str());
        let ps = export_lines(&s, ExportFormat::PowerShell).expect("powershell");
        assert_eq!(parse_powershell(&ps), expected, "{}", ps.as_str());
    }
}

#[test]
fn cmd_lines_read_back_when_cmd_can_carry_the_value() {
    for secret in secrets() {
        let s = session(&secret, None);
        match export_lines(&s, ExportFormat::WindowsCmd) {
            Ok(text) => assert_eq!(parse_cmd(&text), expected_vars(&secret, None), "{}", text.as_str()),
            Err(err) => {
                assert_eq!(err.code(), "unexportable_value");
                assert!(
                    secret.contains(['"', '%', '!', '\n', '\r']),
                    "{secret:?} refused: {err}"
                );
            }
        }
    }
}

/// Only where the shell is installed: the same lines through the real fish / pwsh.
#[test]
fn real_fish_and_pwsh_agree_when_installed() {
    for (binary, format) in [("fish", ExportFormat::Fish), ("pwsh", ExportFormat::PowerShell)] {
        if Command::new(binary).arg("--version").output().is_err() {
            eprintln!("note: {binary} not installed; checked with the quoting-rule parser only");
            continue;
        }
        for secret in secrets() {
            let lines = export_lines(&session(&secret, None), format).expect("exports");
            let print = match format {
                ExportFormat::Fish => "printf '%s\\0' $AWS_SECRET_ACCESS_KEY",
                _ => "[Console]::Out.Write($Env:AWS_SECRET_ACCESS_KEY + [char]0)",
            };
            let args: Vec<String> = match format {
                ExportFormat::Fish => vec![
                    "--no-config".into(),
                    "-c".into(),
                    format!("{}\n{print}", lines.as_str()),
                ],
                _ => vec![
                    "-NoProfile".into(),
                    "-Command".into(),
                    format!("{}\n{print}", lines.as_str()),
                ],
            };
            let output = Command::new(binary).args(&args).output().expect("runs");
            assert!(
                output.status.success(),
                "{binary}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let got = String::from_utf8(output.stdout).expect("utf-8");
            assert_eq!(
                got.strip_suffix('\0'),
                Some(secret.as_str()),
                "{binary} {secret:?}\n{}",
                lines.as_str()
            );
        }
    }
}

#[test]
fn process_json_reads_back_and_freshness_follows_the_cli() {
    let s = session(NASTY, None);
    let json = export_lines(&s, ExportFormat::Process).expect("json");
    assert_eq!(json.as_str(), credential_process::to_json(&s).expect("same").as_str());
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(value["Version"], 1);
    assert_eq!(value["SecretAccessKey"], NASTY);
    assert_eq!(value["Expiration"], "2026-05-01T12:00:00Z");
    assert!(credential_process::is_fresh_enough(
        &s,
        s.expires_at - CREDENTIAL_PROCESS_MIN_LEFT - time::Duration::SECOND
    ));
    assert!(!credential_process::is_fresh_enough(
        &s,
        s.expires_at - CREDENTIAL_PROCESS_MIN_LEFT
    ));
}
