//! IAM Identity Center (SSO) settings as the AWS CLI v2 reads them: `[sso-session NAME]`
//! sections named by a profile's `sso_session`, or the legacy form with `sso_start_url` and
//! `sso_region` in the profile itself.

use super::endpoints::ServiceEndpoints;

/// One sign-in: what the token cache is keyed by and what the OIDC calls need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSessionConfig {
    /// The `[sso-session NAME]` section's name; `None` for the legacy form (keyed by start URL,
    /// as the AWS CLI keys it; such a token is never refreshed, as in the AWS CLI).
    pub name: Option<String>,
    pub start_url: String,
    pub region: String,
    /// `sso_registration_scopes`, comma-separated in the file (default: none, as in the AWS CLI;
    /// refreshing needs `sso:account:access`).
    pub scopes: Vec<String>,
    /// Where the profile it was reached through says the portal (`sso`) and the sign-in service
    /// (`sso_oidc`) are, when it says so (see [`super::endpoints`]); else AWS's regional hosts.
    pub endpoints: ServiceEndpoints,
}

impl SsoSessionConfig {
    /// What the user calls this sign-in: the session's name, else the start URL.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.start_url)
    }
}

/// A role reached through an SSO sign-in: `sso_account_id` and `sso_role_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRoleSpec {
    pub session: SsoSessionConfig,
    pub account_id: String,
    pub role_name: String,
}

impl SsoRoleSpec {
    /// The role's ARN (the commercial partition's form; only shown, never sent).
    pub fn role_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{}", self.account_id, self.role_name)
    }
}
