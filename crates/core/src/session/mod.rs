//! `Session`: short-lived credentials from STS, what they are for, and when they end.

pub mod cache;

use crate::credentials::Credentials;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Which STS call made a session (what `aws-vault list` prints as `sts.AssumeRole`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SessionKind {
    AssumeRole,
    GetSessionToken,
    /// Role credentials from IAM Identity Center (GetRoleCredentials).
    SsoRole,
    /// What a profile's `credential_process` printed (never cached by Rolebar).
    CredentialProcess,
}

impl SessionKind {
    pub fn label(self) -> &'static str {
        match self {
            SessionKind::AssumeRole => "sts.AssumeRole",
            SessionKind::GetSessionToken => "sts.GetSessionToken",
            SessionKind::SsoRole => "sso.GetRoleCredentials",
            SessionKind::CredentialProcess => "credential_process",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The profile this session serves: the role profile for AssumeRole, the key-holding
    /// profile for GetSessionToken.
    pub profile: String,
    pub kind: SessionKind,
    pub credentials: Credentials,
    pub expires_at: OffsetDateTime,
    /// The MFA device the session was made with, if any.
    pub mfa_serial: Option<String>,
    /// The role asked for (AssumeRole only).
    pub role_arn: Option<String>,
    /// The region of the profile, carried so outputs can set AWS_REGION.
    pub region: Option<String>,
}

impl Session {
    pub fn time_left(&self, now: OffsetDateTime) -> Duration {
        (self.expires_at - now).max(Duration::ZERO)
    }

    /// Whether the session can still be handed out: more than `window` left.
    pub fn is_fresh(&self, now: OffsetDateTime, window: Duration) -> bool {
        self.expires_at - now > window
    }
}

/// `37m15s`, `7h59m2s`, `0s`: the form `aws-vault list` prints.
pub fn format_time_left(left: Duration) -> String {
    let total = left.whole_seconds().max(0);
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_like_aws_vault() {
        assert_eq!(format_time_left(Duration::seconds(37 * 60 + 15)), "37m15s");
        assert_eq!(format_time_left(Duration::seconds(8 * 3600 - 1)), "7h59m59s");
        assert_eq!(format_time_left(Duration::seconds(-5)), "0s");
    }
}
