//! `Session`: short-lived credentials from STS, what they are for, and when they end.
//!
//! Around it: `vault` gets one (cache first, at most one prompt per MFA device, chaining),
//! `sts` calls STS behind the `RoleAssumer` seam, `cache` keeps sessions in the keyring, and
//! `operations` is `Sessions`, what every front end calls.

pub mod cache;
pub mod operations;
pub mod sts;
pub mod vault;

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
    /// When Rolebar got it (from STS or IAM Identity Center), which with `expires_at` gives its
    /// length for [`handout_margin`]; `None` when not known (keys from elsewhere, a session
    /// cached by an older Rolebar, one received from the agent).
    pub issued_at: Option<OffsetDateTime>,
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

    /// How long the session lasts from issue to expiry, when Rolebar knows when it was issued.
    pub fn lifetime(&self) -> Option<Duration> {
        self.issued_at
            .map(|issued| self.expires_at - issued)
            .filter(|l| l.is_positive())
    }

    /// Whether the session can still be handed out to a caller that wants `wanted` left: more
    /// than [`handout_margin`] of its own length and `wanted` left. The one place every caller
    /// (the cache, the vault, `credential-process`, the endpoint, the tray's agent) decides it.
    pub fn is_fresh(&self, now: OffsetDateTime, wanted: Duration) -> bool {
        self.expires_at - now > handout_margin(self.lifetime(), wanted)
    }
}

/// Of a session's life, the share that must be left for it to be handed out: a third. A
/// 15-minute session (AWS's shortest) then serves for its first 10 minutes, as long as a 1-hour
/// one serves with a 15-minute margin for its first 45.
pub const HANDOUT_SHARE_DIVISOR: i32 = 3;

/// The time a session lasting `lifetime` must still have left to be handed out to a caller that
/// wants `wanted` left: `wanted`, but never more than a third of the session's life.
///
/// Callers ask for what their SDK refreshes at: botocore renews credential_process and container
/// credentials 15 minutes before expiry (its "advisory" window; 10 minutes "mandatory"), the
/// JavaScript SDK v3 5 minutes before, aws-vault's cache 5 minutes before. A session no longer
/// than that margin (a role with `duration_seconds = 900`) would never be handed out: each
/// request would make a new one, with a new MFA code. botocore still uses credentials handed
/// out inside its windows (it only asks again on its next call, which is then served from the
/// cache), so a shorter margin for short sessions costs a process run, never an STS call. With
/// a third of its life left a session still outlasts the SDKs' own 5-minute margins for every
/// session of 15 minutes or more. `lifetime` unknown: `wanted`, as before sessions carried it.
pub fn handout_margin(lifetime: Option<Duration>, wanted: Duration) -> Duration {
    match lifetime {
        Some(lifetime) if lifetime.is_positive() => wanted.min(lifetime / HANDOUT_SHARE_DIVISOR),
        _ => wanted,
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

    #[test]
    fn the_margin_is_what_the_caller_wants_but_at_most_a_third_of_the_session() {
        let fifteen = Duration::minutes(15);
        for (lifetime, wanted, margin) in [
            // AWS's shortest role session: handed out for its first 10 minutes.
            (Some(Duration::seconds(900)), fifteen, Duration::minutes(5)),
            (Some(Duration::minutes(30)), fifteen, Duration::minutes(10)),
            (Some(Duration::minutes(45)), fifteen, fifteen),
            (Some(Duration::hours(1)), fifteen, fifteen),
            (Some(Duration::hours(12)), fifteen, fifteen),
            // aws-vault's 5 minutes for `exec`: the same for every session STS makes.
            (Some(Duration::seconds(900)), Duration::minutes(5), Duration::minutes(5)),
            (Some(Duration::hours(8)), Duration::minutes(5), Duration::minutes(5)),
            // Not known (an older Rolebar cached it): what the caller wants, as before.
            (None, fifteen, fifteen),
            (Some(Duration::ZERO), fifteen, fifteen),
            (Some(-Duration::minutes(1)), fifteen, fifteen),
        ] {
            assert_eq!(handout_margin(lifetime, wanted), margin, "{lifetime:?} {wanted}");
        }
    }

    #[test]
    fn a_fifteen_minute_session_is_fresh_for_two_thirds_of_its_life() {
        use crate::credentials::Credentials;
        use time::macros::datetime;
        let issued = datetime!(2026-05-01 12:00 UTC);
        let session = Session {
            profile: "short".into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAFAKE0000SHORT001", "s", "t"),
            expires_at: issued + Duration::seconds(900),
            issued_at: Some(issued),
            mfa_serial: None,
            role_arn: None,
            region: None,
        };
        let wanted = Duration::minutes(15);
        assert!(session.is_fresh(issued + Duration::seconds(5), wanted), "just made");
        assert!(session.is_fresh(issued + Duration::seconds(599), wanted));
        assert!(
            !session.is_fresh(issued + Duration::seconds(600), wanted),
            "5 minutes left"
        );
        let unknown = Session {
            issued_at: None,
            ..session
        };
        assert!(
            !unknown.is_fresh(issued + Duration::seconds(5), wanted),
            "length unknown: 15 minutes"
        );
    }
}
