//! MFA codes: how the caller is asked (a dialog, a terminal, a test) and what a valid code is.
//! Where a code comes from before anyone is asked (`--mfa-token`, `mfa_process`, ykman): `source`.

pub mod source;

use crate::error::{Error, Result};
use crate::sensitive::Secret;
use serde::Serialize;

/// A one-time code, checked to be exactly 6 digits before it can exist, so no malformed code
/// ever reaches AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaCode(Secret);

impl MfaCode {
    /// Accepts the 6 digits with surrounding spaces (as pasted from an authenticator app) and a
    /// space in the middle (`123 456`, as some apps show it).
    pub fn parse(input: &str) -> Result<Self> {
        let digits: String = input.trim().chars().filter(|c| *c != ' ').collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(MfaCode(Secret::new(digits)))
        } else {
            Err(Error::MfaCodeFormat)
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Why a code is asked, so the prompt can tell the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MfaReason {
    /// No cached session for this profile yet.
    NoSession,
    /// The cached session expired (or is within the expiry window).
    SessionExpired,
    /// A session exists for another MFA device, but this role asks for its own.
    DifferentDevice,
    /// The role is assumed from another role's session that was made without MFA, so AWS
    /// needs the code on this call even though the chain uses one device.
    SourceWithoutMfa,
    /// AWS rejected the previous code.
    Rejected,
}

impl MfaReason {
    pub fn describe(self) -> &'static str {
        match self {
            MfaReason::NoSession => "no session yet",
            MfaReason::SessionExpired => "the session expired",
            MfaReason::DifferentDevice => "this role uses a different MFA device",
            MfaReason::SourceWithoutMfa => "the role it is assumed from was obtained without MFA",
            MfaReason::Rejected => "AWS rejected the last code",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MfaRequest {
    /// The profile the user asked for.
    pub profile: String,
    pub mfa_serial: String,
    pub reason: MfaReason,
    /// 1 for the first ask, 2 after one rejection, …
    pub attempt: u32,
}

/// Supplied by the caller. Returning `Err(Error::MfaCancelled)` stops the request.
#[async_trait::async_trait]
pub trait MfaPrompt: Send + Sync {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode>;
}

/// For callers that cannot ask (credential_process: the AWS CLI swallows its stderr): any need
/// for a code fails fast with [`Error::MfaRequired`].
#[derive(Debug, Default, Clone, Copy)]
pub struct NoPrompt;

#[async_trait::async_trait]
impl MfaPrompt for NoPrompt {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode> {
        Err(Error::MfaRequired {
            profile: request.profile.clone(),
            mfa_serial: request.mfa_serial.clone(),
            renew: request.reason == MfaReason::SessionExpired,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_six_digits_make_a_code() {
        assert_eq!(MfaCode::parse(" 123456\n").expect("ok").expose(), "123456");
        assert_eq!(MfaCode::parse("123 456").expect("ok").expose(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６", "12-456"] {
            assert!(matches!(MfaCode::parse(bad), Err(Error::MfaCodeFormat)), "{bad:?}");
        }
    }
}
