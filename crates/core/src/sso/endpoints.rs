//! Where the two IAM Identity Center services are: AWS's regional hosts, or what the SDKs'
//! standard variables say (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL_SSO`, then
//! `AWS_ENDPOINT_URL`), so tests and private endpoints work. The browser's authorize URL follows
//! the OIDC endpoint, as the AWS CLI builds it.

use super::error::SsoError;

pub const OIDC_ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_SSO_OIDC";
pub const PORTAL_ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_SSO";
pub const GLOBAL_ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL";
/// The SDKs' switch that makes them ignore every configured endpoint URL.
pub const IGNORE_ENDPOINTS_VAR: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/// Base URLs (no trailing `/`) that override AWS's regional hosts; `None` means AWS's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsoEndpoints {
    oidc: Option<String>,
    portal: Option<String>,
}

impl SsoEndpoints {
    /// AWS's regional hosts for both services.
    pub fn aws() -> Self {
        SsoEndpoints::default()
    }

    /// Explicit base URLs (tests, private endpoints); `None` keeps AWS's host.
    pub fn new(oidc: Option<&str>, portal: Option<&str>) -> Result<Self, SsoError> {
        Ok(SsoEndpoints {
            oidc: oidc.map(|u| checked("explicit OIDC endpoint", u)).transpose()?,
            portal: portal.map(|u| checked("explicit portal endpoint", u)).transpose()?,
        })
    }

    /// From the process's environment (see the module doc).
    pub fn from_env() -> Result<Self, SsoError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From `lookup` standing for the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SsoError> {
        let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        if set(IGNORE_ENDPOINTS_VAR).is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return Ok(SsoEndpoints::default());
        }
        let pick = |specific: &'static str| -> Result<Option<String>, SsoError> {
            for variable in [specific, GLOBAL_ENDPOINT_VAR] {
                if let Some(value) = set(variable) {
                    return checked(variable, &value).map(Some);
                }
            }
            Ok(None)
        };
        Ok(SsoEndpoints {
            oidc: pick(OIDC_ENDPOINT_VAR)?,
            portal: pick(PORTAL_ENDPOINT_VAR)?,
        })
    }

    /// The OIDC service's base URL for `region`.
    pub fn oidc_url(&self, region: &str) -> String {
        self.oidc
            .clone()
            .unwrap_or_else(|| format!("https://oidc.{region}.amazonaws.com"))
    }

    /// The portal's base URL for `region`.
    pub fn portal_url(&self, region: &str) -> String {
        self.portal
            .clone()
            .unwrap_or_else(|| format!("https://portal.sso.{region}.amazonaws.com"))
    }

    /// Where the browser signs in: the OIDC endpoint's `/authorize`.
    pub fn authorize_url(&self, region: &str) -> String {
        format!("{}/authorize", self.oidc_url(region))
    }
}

/// `value` as a base URL without its trailing `/`, or why it is none.
fn checked(variable: &'static str, value: &str) -> Result<String, SsoError> {
    let value = value.trim();
    let invalid = || SsoError::InvalidEndpoint {
        variable,
        value: value.chars().filter(|c| !c.is_control()).take(200).collect(),
    };
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(invalid)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || value.contains(['?', '#']) || value.chars().any(char::is_whitespace) {
        return Err(invalid());
    }
    Ok(value.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<SsoEndpoints, SsoError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        SsoEndpoints::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn aws_hosts_by_default() {
        let e = from(&[]).expect("endpoints");
        assert_eq!(e.oidc_url("eu-west-1"), "https://oidc.eu-west-1.amazonaws.com");
        assert_eq!(e.portal_url("eu-west-1"), "https://portal.sso.eu-west-1.amazonaws.com");
        assert_eq!(
            e.authorize_url("eu-west-1"),
            "https://oidc.eu-west-1.amazonaws.com/authorize"
        );
    }

    #[test]
    fn specific_variables_win_over_the_global_one() {
        let e = from(&[
            (OIDC_ENDPOINT_VAR, "http://127.0.0.1:9000/"),
            (GLOBAL_ENDPOINT_VAR, "http://127.0.0.1:9001"),
        ])
        .expect("endpoints");
        assert_eq!(e.oidc_url("x"), "http://127.0.0.1:9000");
        assert_eq!(e.authorize_url("x"), "http://127.0.0.1:9000/authorize");
        assert_eq!(e.portal_url("x"), "http://127.0.0.1:9001");
        let ignored = from(&[
            (OIDC_ENDPOINT_VAR, "http://127.0.0.1:9000"),
            (IGNORE_ENDPOINTS_VAR, "true"),
        ])
        .expect("endpoints");
        assert_eq!(ignored, SsoEndpoints::aws());
    }

    #[test]
    fn a_value_that_is_not_a_base_url_is_refused_by_name() {
        for bad in ["127.0.0.1:9000", "http://", "http://h/x?y=1", "ftp://h"] {
            let e = from(&[(PORTAL_ENDPOINT_VAR, bad)]).expect_err(bad);
            assert_eq!(e.code(), "sso_endpoint_invalid");
            assert!(e.to_string().contains(PORTAL_ENDPOINT_VAR), "{e}");
        }
        assert!(SsoEndpoints::new(Some("http://127.0.0.1:1"), None).is_ok());
    }
}
