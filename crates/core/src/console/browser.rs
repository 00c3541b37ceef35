//! Opening the sign-in URL in the user's browser: `BROWSER` first (a `:`-separated list of
//! commands, each with `%s` where the URL goes, or the URL appended), then the platform's
//! opener.
//!
//! The URL is passed as one argument to a program run directly (no shell), so nothing in it is
//! interpreted. Like every tool that opens a sign-in link, it is briefly visible in the opener's
//! command line to the same machine's process list.

use super::error::ConsoleError;
use super::federation::SigninUrl;
use std::time::Duration;

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

/// Opens `url` (the sign-in of `profile`) with the first command that works: one that exits
/// with success, or is still running after a few seconds (a browser in the foreground).
pub async fn open_in_browser(profile: &str, url: &SigninUrl) -> Result<(), ConsoleError> {
    open_with(profile, url, std::env::var("BROWSER").ok().as_deref()).await
}

/// [`open_in_browser`] with `browser` for the value of `BROWSER`.
async fn open_with(profile: &str, url: &SigninUrl, browser: Option<&str>) -> Result<(), ConsoleError> {
    match open_url(url.expose(), browser).await {
        Ok(program) => {
            tracing::info!(profile, %program, "opened the console sign-in in a browser");
            Ok(())
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
    let mut last = None;
    for command in browser_commands(browser, url) {
        match run(&command).await {
            Ok(()) => return Ok(command.program),
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

/// Runs one command; why it failed, never quoting its arguments.
async fn run(command: &BrowserCommand) -> Result<(), String> {
    let mut child = tokio::process::Command::new(&command.program)
        .args(&command.args)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    match tokio::time::timeout(STILL_RUNNING_IS_OPEN, child.wait()).await {
        Err(_) => Ok(()),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("it ended with {status}")),
        Ok(Err(e)) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let e = open_with("dev", &url, Some(browser)).await.expect_err(browser);
            let text = e.to_string();
            assert_eq!(e.code(), "browser_failed");
            assert!(text.contains("rolebar login dev --stdout"), "{text}");
            assert!(!text.contains("SigninToken"), "{text}");
        }
    }
}
