//! Opening the sign-in in the user's browser: `BROWSER` first (a `:`-separated list of
//! commands, each with `%s` where the URL goes, or the URL appended), then the platform's
//! opener.
//!
//! The URL is passed as one argument to a program run directly (no shell), so nothing in it is
//! interpreted. For the console sign-in that argument is not the sign-in URL but a hand-off page
//! ([`super::handoff`]): a command line is readable by every local user, the sign-in URL is a
//! credential.

use super::error::ConsoleError;
use super::federation::SigninUrl;
use super::handoff::{Handoff, HandoffKind, HandoffOptions};
use std::time::Duration;
use tokio::sync::watch;

/// How long a browser command may run before it counts as opened: some (a first browser
/// window) stay in the foreground until closed, and the caller must not wait for that.
const STILL_RUNNING_IS_OPEN: Duration = Duration::from_secs(10);

/// One way to open a URL: a program and its arguments, the URL among them.
#[derive(Clone, PartialEq, Eq)]
pub struct BrowserCommand {
    pub program: String,
    pub args: Vec<String>,
}

impl std::fmt::Debug for BrowserCommand {
    // The arguments hold the URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BrowserCommand({} + {} args)", self.program, self.args.len())
    }
}

/// The commands to try for `url`, in order: those of `browser` (the value of `BROWSER`), else
/// the platform's opener.
pub fn browser_commands(browser: Option<&str>, url: &str) -> Vec<BrowserCommand> {
    let from_var: Vec<BrowserCommand> = browser
        .unwrap_or_default()
        .split(':')
        .filter_map(|entry| {
            let words: Vec<&str> = entry.split_whitespace().collect();
            let (program, rest) = words.split_first()?;
            let mut args: Vec<String> = rest.iter().map(|w| substitute(w, url)).collect();
            if !entry.contains("%s") {
                args.push(url.to_string());
            }
            Some(BrowserCommand {
                program: substitute(program, url),
                args,
            })
        })
        .collect();
    if !from_var.is_empty() {
        return from_var;
    }
    vec![platform_opener(url)]
}

/// `%s` → the URL and `%%` → `%` in one word of a `BROWSER` entry (the URL itself is never
/// scanned, so its own `%XX` escapes stay as they are).
fn substitute(word: &str, url: &str) -> String {
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('%', Some('s')) => {
                chars.next();
                out.push_str(url);
            }
            ('%', Some('%')) => {
                chars.next();
                out.push('%');
            }
            _ => out.push(c),
        }
    }
    out
}

fn platform_opener(url: &str) -> BrowserCommand {
    let (program, mut args): (&str, Vec<String>) = if cfg!(target_os = "macos") {
        ("open", vec![])
    } else if cfg!(windows) {
        // `cmd /c start` would parse the URL: `&` ends the command and `%…%` expands
        // variables. The URL protocol handler takes it as one argument, untouched.
        ("rundll32", vec!["url.dll,FileProtocolHandler".into()])
    } else {
        ("xdg-open", vec![])
    };
    args.push(url.to_string());
    BrowserCommand {
        program: program.into(),
        args,
    }
}

/// Opens the console sign-in of `profile` in the browser (see [`hand_to_browser`]), the page
/// waiting for the browser in the background: for the tray app, whose runtime outlives the
/// click. Must be called within a Tokio runtime.
pub async fn open_in_browser(profile: &str, url: &SigninUrl) -> Result<(), ConsoleError> {
    let browser = std::env::var("BROWSER").ok();
    hand_to_browser(profile, url, browser.as_deref(), &HandoffOptions::default())
        .await?
        .detach();
    Ok(())
}

/// Opens a hand-off page for `url` (the sign-in of `profile`) with the first command of
/// `browser` (the value of `BROWSER`), else the platform's opener, that works: one that exits
/// with success, is still running after a few seconds (a browser in the foreground), or whose
/// browser already came for the page. The page is then still waiting, or used: see
/// [`Handoff::finish`].
pub async fn hand_to_browser(
    profile: &str,
    url: &SigninUrl,
    browser: Option<&str>,
    options: &HandoffOptions,
) -> Result<Handoff, ConsoleError> {
    let handoff = Handoff::start(profile, url, options).await?;
    let used = (handoff.kind() != HandoffKind::Argument).then(|| handoff.used_signal());
    match open_url_until(handoff.browser_url(), browser, used).await {
        Ok(program) => {
            tracing::info!(profile, %program, kind = ?handoff.kind(), "opened the console sign-in in a browser");
            Ok(handoff)
        }
        Err(BrowserFailure { command, detail }) => Err(ConsoleError::BrowserFailed {
            profile: profile.to_string(),
            command,
            detail,
        }),
    }
}

/// Why no browser command opened a URL: the last program tried (never its arguments) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrowserFailure {
    pub command: String,
    pub detail: String,
}

/// Opens `url` with the first command of `browser` (the value of `BROWSER`), else the
/// platform's opener, that works; the program that did. Shared with the SSO sign-in, which
/// words its own error.
pub(crate) async fn open_url(url: &str, browser: Option<&str>) -> Result<String, BrowserFailure> {
    open_url_until(url, browser, None).await
}

/// [`open_url`]; with `used` (a page's signal that the browser came for it), a command counts as
/// having worked once it turns true, whatever the command does after.
async fn open_url_until(
    url: &str,
    browser: Option<&str>,
    used: Option<watch::Receiver<bool>>,
) -> Result<String, BrowserFailure> {
    let mut last = None;
    for command in browser_commands(browser, url) {
        match run(&command, used.clone()).await {
            Ok(()) => return Ok(command.program),
            // The page is one-shot: a later command could not open it again.
            Err(_) if used.as_ref().is_some_and(|u| *u.borrow()) => return Ok(command.program),
            Err(detail) => {
                tracing::debug!(program = %command.program, %detail, "browser command failed");
                last = Some(BrowserFailure {
                    command: command.program,
                    detail,
                });
            }
        }
    }
    Err(last.unwrap_or_else(|| BrowserFailure {
        command: "BROWSER".into(),
        detail: "no command to run".into(),
    }))
}

/// Runs one command; why it failed, never quoting its arguments. Done early once `used` turns
/// true (the browser came for the page while its command still runs).
async fn run(command: &BrowserCommand, used: Option<watch::Receiver<bool>>) -> Result<(), String> {
    let mut child = tokio::process::Command::new(&command.program)
        .args(&command.args)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let came = async {
        if let Some(mut used) = used {
            if used.wait_for(|u| *u).await.is_ok() {
                return;
            }
        }
        // No page, or its task is gone: only the command can tell.
        std::future::pending::<()>().await
    };
    tokio::select! {
        () = came => Ok(()),
        waited = tokio::time::timeout(STILL_RUNNING_IS_OPEN, child.wait()) => match waited {
            Err(_) => Ok(()),
            Ok(Ok(status)) if status.success() => Ok(()),
            Ok(Ok(status)) => Err(format!("it ended with {status}")),
            Ok(Err(e)) => Err(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;

    const URL: &str = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=a%2Bb";

    fn cmd(program: &str, args: &[&str]) -> BrowserCommand {
        BrowserCommand {
            program: program.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn browser_entries_take_the_url_at_percent_s_or_last() {
        assert_eq!(browser_commands(Some("firefox"), URL), [cmd("firefox", &[URL])]);
        assert_eq!(
            browser_commands(Some("firefox --new-tab"), URL),
            [cmd("firefox", &["--new-tab", URL])]
        );
        assert_eq!(
            browser_commands(Some("my-browser --url=%s --pct=100%%"), URL),
            [cmd("my-browser", &[&format!("--url={URL}"), "--pct=100%"])]
        );
        assert_eq!(
            browser_commands(Some("w3m %s:lynx"), URL),
            [cmd("w3m", &[URL]), cmd("lynx", &[URL])]
        );
    }

    #[test]
    fn without_browser_the_platform_opener_is_used() {
        for none in [None, Some(""), Some(" : ")] {
            let commands = browser_commands(none, URL);
            assert_eq!(commands.len(), 1);
            assert_eq!(commands[0].args.last().map(String::as_str), Some(URL));
            #[cfg(target_os = "linux")]
            assert_eq!(commands[0].program, "xdg-open");
        }
    }

    #[test]
    fn a_command_in_debug_output_shows_no_url() {
        let shown = format!("{:?}", cmd("xdg-open", &[URL]));
        assert!(!shown.contains("SigninToken"), "{shown}");
    }

    #[tokio::test]
    async fn a_failing_or_missing_browser_is_a_clear_error_without_the_url() {
        let url = SigninUrl::new(URL);
        for browser in ["false", "/nonexistent/rolebar-browser"] {
            let e = hand_to_browser("dev", &url, Some(browser), &HandoffOptions::default())
                .await
                .expect_err(browser);
            let text = e.to_string();
            assert_eq!(e.code(), "browser_failed");
            assert!(text.contains("rolebar login dev --stdout"), "{text}");
            assert!(!text.contains("SigninToken"), "{text}");
        }
    }
}
