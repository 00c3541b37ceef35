//! `Credentials`: an AWS key pair, with a session token when it is short-lived.

use crate::sensitive::{mask_key_id, Secret};
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Present for STS sessions; absent for long-term IAM user keys.
    pub session_token: Option<Secret>,
}

impl Credentials {
    pub fn long_term(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: None,
        }
    }

    pub fn temporary(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: impl Into<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: Some(Secret::new(session_token)),
        }
    }

    /// The key id as logs and the UI may show it.
    pub fn masked_key_id(&self) -> String {
        mask_key_id(&self.access_key_id)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.masked_key_id())
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret_and_only_part_of_the_key_id() {
        let c = Credentials::temporary("ASIAEXAMPLEKEY123456", "secret/value", "token-value");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("secret/value") && !shown.contains("token-value"),
            "{shown}"
        );
        assert!(!shown.contains("ASIAEXAMPLEKEY123456"), "{shown}");
        assert!(shown.contains("****3456"), "{shown}");
    }
}
