//! Terminal prompts: the MFA code and the key pair for `add`.

use rolebar_core::mfa::{MfaCode, MfaPrompt, MfaReason, MfaRequest};
use rolebar_core::{Error, Result, Secret};
use std::io::{BufRead, Write};

/// Asks on stderr, reads a line from stdin (so scripts and tests can answer through a pipe).
#[derive(Debug, Default)]
pub struct TerminalMfa;

#[async_trait::async_trait]
impl MfaPrompt for TerminalMfa {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode> {
        let why = match request.reason {
            MfaReason::Rejected => "AWS rejected that code; ".to_string(),
            other => format!("{}; ", other.describe()),
        };
        for _ in 0..3 {
            eprint!(
                "Enter MFA code for {} ({why}profile {}): ",
                request.mfa_serial, request.profile
            );
            let line = read_line()?;
            match MfaCode::parse(&line) {
                Ok(code) => return Ok(code),
                Err(e) => eprintln!("{e}"),
            }
        }
        Err(Error::MfaCodeFormat)
    }
}

fn read_line() -> Result<String> {
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => Err(Error::MfaCancelled),
        Ok(_) => Ok(line.trim_end_matches(['\r', '\n']).to_string()),
    }
}

pub fn ask_visible(label: &str) -> Result<String> {
    eprint!("{label}: ");
    read_line()
}

/// Not echoed on a terminal; read from stdin as is when stdin is not a terminal.
pub fn ask_secret(label: &str) -> Result<Secret> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{label}: "))
            .map(Secret::new)
            .map_err(|_| Error::MfaCancelled)
    } else {
        eprint!("{label}: ");
        read_line().map(Secret::new)
    }
}
