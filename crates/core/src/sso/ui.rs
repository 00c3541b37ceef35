//! What a sign-in shows the user, and the seam front ends fill: the command line prints the URL
//! or code and opens a browser, the tray opens a browser and shows a window. [`BrowserSignInUi`]
//! only opens the browser; front ends wrap it to say what is happening.

use super::error::SsoError;
use crate::error::Result;
use std::fmt;

/// What the user must do to complete a sign-in.
#[derive(Clone, PartialEq, Eq)]
pub enum SignInPrompt {
    /// Browser sign-in (PKCE): open `url`; the browser comes back to Rolebar by itself.
    OpenUrl {
        /// The sign-in's name (`sso-session`, or the start URL of the legacy form).
        session: String,
        url: String,
    },
    /// Device code: open `verification_uri` (on any device) and enter `user_code`, or open
    /// `verification_uri_complete`, which fills the code in.
    DeviceCode {
        session: String,
        verification_uri: String,
        verification_uri_complete: Option<String>,
        user_code: String,
    },
}

impl SignInPrompt {
    /// The URL a browser on this machine should open.
    pub fn browser_url(&self) -> &str {
        match self {
            SignInPrompt::OpenUrl { url, .. } => url,
            SignInPrompt::DeviceCode {
                verification_uri,
                verification_uri_complete,
                ..
            } => verification_uri_complete.as_deref().unwrap_or(verification_uri),
        }
    }

    pub fn session(&self) -> &str {
        match self {
            SignInPrompt::OpenUrl { session, .. } | SignInPrompt::DeviceCode { session, .. } => session,
        }
    }
}

impl fmt::Debug for SignInPrompt {
    // The URLs carry the state and client id, the device prompt a code that signs in: none of it
    // belongs in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignInPrompt::OpenUrl { session, .. } => write!(f, "SignInPrompt::OpenUrl({session})"),
            SignInPrompt::DeviceCode { session, .. } => write!(f, "SignInPrompt::DeviceCode({session})"),
        }
    }
}

/// Shows a sign-in to the user. `show` must return at once: the sign-in then waits for the
/// browser or polls for the device's approval itself. An error ends the sign-in.
#[async_trait::async_trait]
pub trait SignInUi: Send + Sync + fmt::Debug {
    async fn show(&self, prompt: &SignInPrompt) -> Result<()>;
}

/// Opens the sign-in in the user's browser (`BROWSER`, else the platform's opener, as the console
/// sign-in does) and prints nothing. A device code prompt opens the URL that fills the code in.
#[derive(Debug, Clone, Default)]
pub struct BrowserSignInUi {
    /// Stands for `BROWSER` when set (tests); `None` reads the environment.
    browser: Option<String>,
}

impl BrowserSignInUi {
    pub fn new() -> Self {
        BrowserSignInUi::default()
    }

    /// With `browser` as the value of `BROWSER`.
    pub fn with_browser(browser: impl Into<String>) -> Self {
        BrowserSignInUi {
            browser: Some(browser.into()),
        }
    }
}

#[async_trait::async_trait]
impl SignInUi for BrowserSignInUi {
    async fn show(&self, prompt: &SignInPrompt) -> Result<()> {
        let browser = self.browser.clone().or_else(|| std::env::var("BROWSER").ok());
        match crate::console::browser::open_url(prompt.browser_url(), browser.as_deref()).await {
            Ok(program) => {
                tracing::info!(session = prompt.session(), %program, "opened the IAM Identity Center sign-in in a browser");
                Ok(())
            }
            Err(failure) => Err(SsoError::BrowserFailed {
                command: failure.command,
                detail: failure.detail,
            }
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;

    #[test]
    fn debug_shows_neither_url_nor_code() {
        let p = SignInPrompt::DeviceCode {
            session: "my-sso".into(),
            verification_uri: "https://device.sso/x".into(),
            verification_uri_complete: Some("https://device.sso/x?user_code=ABCD-EFGH".into()),
            user_code: "ABCD-EFGH".into(),
        };
        let shown = format!("{p:?}");
        assert!(!shown.contains("ABCD") && !shown.contains("https"), "{shown}");
        assert_eq!(p.browser_url(), "https://device.sso/x?user_code=ABCD-EFGH");
    }

    #[tokio::test]
    async fn a_missing_browser_is_a_clear_error() {
        let ui = BrowserSignInUi::with_browser("/nonexistent/rolebar-browser");
        let p = SignInPrompt::OpenUrl {
            session: "my-sso".into(),
            url: "http://127.0.0.1:1/authorize?state=s3cr3t".into(),
        };
        let e = ui.show(&p).await.expect_err("no browser");
        assert_eq!(e.code(), "browser_failed");
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert!(e.to_string().contains("--use-device-code"), "{e}");
    }
}
