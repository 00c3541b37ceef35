//! Where the two IAM Identity Center services are: explicit base URLs given to [`super::Sso`]
//! (tests, embedders), else what the profile a sign-in was reached through configures (the SDKs'
//! `AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL`, `[services]`
//! sections and `endpoint_url`, chosen in [`crate::profile::endpoints`]), else AWS's regional
//! hosts. The browser's authorize URL follows the OIDC endpoint, as the AWS CLI builds it.

use super::error::SsoError;
use crate::profile::endpoints::Service;
use crate::profile::SsoSessionConfig;

/// Explicit base URLs (no trailing `/`) that override everything else; `None`: the session's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsoEndpoints {
    oidc: Option<String>,
    portal: Option<String>,
}

impl SsoEndpoints {
    /// Nothing explicit: each sign-in's configured endpoints, else AWS's regional hosts.
    pub fn aws() -> Self {
        SsoEndpoints::default()
    }

    /// Explicit base URLs (tests, private endpoints); `None` keeps the session's.
    pub fn new(oidc: Option<&str>, portal: Option<&str>) -> Result<Self, SsoError> {
        Ok(SsoEndpoints {
            oidc: oidc.map(|u| checked("explicit OIDC endpoint", u)).transpose()?,
            portal: portal.map(|u| checked("explicit portal endpoint", u)).transpose()?,
        })
    }

    /// The OIDC service's base URL for `session`.
    pub fn oidc_url(&self, session: &SsoSessionConfig) -> crate::Result<String> {
        if let Some(url) = &self.oidc {
            return Ok(url.clone());
        }
        Ok(session
            .endpoints
            .url(Service::SsoOidc)?
            .unwrap_or_else(|| format!("https://oidc.{}.amazonaws.com", session.region)))
    }

    /// The portal's base URL for `session`.
    pub fn portal_url(&self, session: &SsoSessionConfig) -> crate::Result<String> {
        if let Some(url) = &self.portal {
            return Ok(url.clone());
        }
        Ok(session
            .endpoints
            .url(Service::Sso)?
            .unwrap_or_else(|| format!("https://portal.sso.{}.amazonaws.com", session.region)))
    }

    /// Where the browser signs in: the OIDC endpoint's `/authorize`.
    pub fn authorize_url(&self, session: &SsoSessionConfig) -> crate::Result<String> {
        Ok(format!("{}/authorize", self.oidc_url(session)?))
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
    use crate::error_code::HasCode;
    use crate::profile::resolve::Environment;
    use crate::profile::ProfileSet;
    use std::path::Path;

    fn session(env: &Environment) -> SsoSessionConfig {
        let config = "[profile p]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
                      sso_account_id = 111111111111\nsso_role_name = r\nservices = s\n\
                      [services s]\nsso_oidc =\n  endpoint_url = http://127.0.0.1:9000/\n";
        let set = ProfileSet::parse(Path::new("config"), config, Path::new("c"), "").expect("parses");
        match set.resolve_with("p", env).expect("resolves").source {
            crate::profile::CredentialSource::Sso(role) => role.session,
            other => panic!("sso: {other:?}"),
        }
    }

    #[test]
    fn aws_hosts_unless_configured_and_explicit_ones_win() {
        let s = session(&Environment::default());
        let e = SsoEndpoints::aws();
        assert_eq!(e.oidc_url(&s).expect("url"), "http://127.0.0.1:9000");
        assert_eq!(e.authorize_url(&s).expect("url"), "http://127.0.0.1:9000/authorize");
        assert_eq!(
            e.portal_url(&s).expect("url"),
            "https://portal.sso.eu-west-1.amazonaws.com"
        );
        let env = Environment {
            endpoint_url: Some("http://127.0.0.1:9001".into()),
            ..Environment::default()
        };
        let s = session(&env);
        assert_eq!(
            e.oidc_url(&s).expect("url"),
            "http://127.0.0.1:9001",
            "the global variable beats [services]"
        );
        assert_eq!(e.portal_url(&s).expect("url"), "http://127.0.0.1:9001");
        let explicit = SsoEndpoints::new(Some("http://127.0.0.1:1/"), None).expect("explicit");
        assert_eq!(explicit.oidc_url(&s).expect("url"), "http://127.0.0.1:1");
        let ignored = session(&Environment {
            ignore_configured_endpoint_urls: Some(true),
            ..env
        });
        assert_eq!(
            e.oidc_url(&ignored).expect("url"),
            "https://oidc.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn a_value_that_is_not_a_base_url_is_refused_by_name() {
        for bad in ["127.0.0.1:9000", "http://", "http://h/x?y=1", "ftp://h"] {
            let s = session(&Environment {
                endpoint_url_sso: Some(bad.into()),
                ..Environment::default()
            });
            let e = SsoEndpoints::aws().portal_url(&s).expect_err(bad);
            assert_eq!(e.code(), "sso_endpoint_invalid");
            assert!(e.to_string().contains("AWS_ENDPOINT_URL_SSO"), "{e}");
        }
        assert!(SsoEndpoints::new(Some("http://127.0.0.1:1"), None).is_ok());
    }
}
