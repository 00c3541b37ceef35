//! What can go wrong between a session and the console: each error says what to do, and none
//! carries the sign-in token, the sign-in URL or the session's keys.

use crate::error_code::{ErrorCode, HasCode};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    #[error("cannot open the AWS console for region `{region}`: {reason}; pass another with --region")]
    InvalidRegion { region: String, reason: String },
    #[error("{variable} is `{value}`, not a base URL such as https://signin.example.com: fix or unset it")]
    InvalidEndpoint { variable: &'static str, value: String },
    #[error("profile `{profile}`: {reason}")]
    InvalidDuration { profile: String, reason: String },
    #[error("profile `{profile}`: the AWS sign-in service at {endpoint} did not answer within {} s; check the network or proxy (or AWS_ENDPOINT_URL_SIGNIN), then try again", waited_ms / 1000)]
    SigninTimeout {
        profile: String,
        endpoint: String,
        waited_ms: u64,
    },
    #[error("profile `{profile}`: cannot reach the AWS sign-in service at {endpoint} ({detail}); check the network, proxy or AWS_ENDPOINT_URL_SIGNIN")]
    SigninUnreachable {
        profile: String,
        endpoint: String,
        detail: String,
    },
    #[error(
        "profile `{profile}`: the AWS sign-in service at {endpoint} refused the session (HTTP {status}{}); {hint}",
        body_text(body)
    )]
    SigninRefused {
        profile: String,
        endpoint: String,
        status: u16,
        /// The start of the reply, control characters removed (AWS's replies carry no secret).
        body: String,
        /// What to do, by what was sent.
        hint: String,
    },
    #[error("profile `{profile}`: the AWS sign-in service at {endpoint} sent a reply Rolebar cannot read ({detail}); try again, and if it keeps happening a proxy may be rewriting replies")]
    SigninBadReply {
        profile: String,
        endpoint: String,
        detail: String,
    },
    #[error("cannot open a browser with `{command}` ({detail}); run `rolebar login {profile} --stdout` and open the URL it prints yourself, or set BROWSER")]
    BrowserFailed {
        profile: String,
        /// The program only, never its arguments (the URL is one).
        command: String,
        detail: String,
    },
    #[error("profile `{profile}`: cannot prepare the sign-in page for the browser ({detail}); run `rolebar login {profile} --stdout` and open the URL it prints yourself")]
    HandoffFailed { profile: String, detail: String },
    #[error("profile `{profile}`: the browser did not open the sign-in page within {waited_secs} s, so it was withdrawn; run `rolebar login {profile}` again, or `rolebar login {profile} --stdout` and open the URL it prints yourself")]
    BrowserNeverCame { profile: String, waited_secs: u64 },
}

fn body_text(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body:?}")
    }
}

impl HasCode for ConsoleError {
    fn error_code(&self) -> ErrorCode {
        match self {
            ConsoleError::InvalidRegion { .. } => ErrorCode::ConsoleRegionInvalid,
            ConsoleError::InvalidEndpoint { .. } => ErrorCode::SigninEndpointInvalid,
            ConsoleError::InvalidDuration { .. } => ErrorCode::ConsoleDurationInvalid,
            ConsoleError::SigninTimeout { .. } => ErrorCode::SigninTimeout,
            ConsoleError::SigninUnreachable { .. } => ErrorCode::SigninUnreachable,
            ConsoleError::SigninRefused { .. } => ErrorCode::SigninRefused,
            ConsoleError::SigninBadReply { .. } => ErrorCode::SigninBadReply,
            ConsoleError::BrowserFailed { .. }
            | ConsoleError::HandoffFailed { .. }
            | ConsoleError::BrowserNeverCame { .. } => ErrorCode::BrowserFailed,
        }
    }
}
