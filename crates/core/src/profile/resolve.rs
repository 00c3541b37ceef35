//! Resolving a profile into how to get its credentials: the `source_profile` chain, roles,
//! MFA devices, durations and the STS endpoint.

use super::mfa_sources::{MfaSourceSettings, OwnSettings};
use super::{ProfileSet, ProfileView, Setting};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use std::path::PathBuf;
use time::Duration;

/// AssumeRole's default and bounds (AWS: 15 minutes to 12 hours; the role's own maximum may be lower).
pub const ROLE_DEFAULT_DURATION: Duration = Duration::hours(1);
/// GetSessionToken's default in aws-vault, and AWS's bounds for it (15 minutes to 36 hours).
pub const SESSION_TOKEN_DEFAULT_DURATION: Duration = Duration::hours(8);
const ROLE_DURATION_BOUNDS: (i64, i64) = (900, 43_200);

/// Where long-term keys come from: the OS keyring under `profile`, or the credentials file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySource {
    pub profile: String,
    /// The credentials file, to tell the user where keys could go.
    pub credentials_path: PathBuf,
    /// Keys written in `~/.aws/credentials` (or config), used when the keyring has none.
    pub file_keys: Option<FileKeys>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileKeys {
    pub credentials: Credentials,
    pub path: PathBuf,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    pub role_arn: String,
    /// The role profile's own `mfa_serial` (as the AWS CLI and aws-vault read it).
    pub mfa_serial: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    /// `duration_seconds`, when set.
    pub duration: Option<Duration>,
    pub source: ResolvedProfile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Long-term keys used as they are.
    Keys(KeySource),
    /// Long-term keys plus an MFA device and no role: GetSessionToken with MFA.
    SessionToken { keys: KeySource, mfa_serial: String },
    /// AssumeRole from the source profile's credentials.
    Role(Box<RoleSpec>),
    /// A kind of profile Rolebar cannot serve yet; listed, never misused.
    Unsupported { what: &'static str, reason: String },
}

/// Where STS is reached for a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsEndpoint {
    /// The region requests are signed for.
    pub region: String,
    /// An explicit endpoint (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, or the profile's `endpoint_url`).
    pub url: Option<String>,
    /// `sts_regional_endpoints`: regional (the default of current SDKs) or legacy (global for the
    /// regions that had it).
    pub regional: bool,
}

/// Regions that used the global endpoint under `sts_regional_endpoints = legacy`.
const LEGACY_GLOBAL_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

impl StsEndpoint {
    /// The URL to call.
    pub fn url(&self) -> String {
        if let Some(url) = &self.url {
            return url.clone();
        }
        if !self.regional && LEGACY_GLOBAL_REGIONS.contains(&self.region.as_str()) {
            return "https://sts.amazonaws.com".to_string();
        }
        let suffix = if self.region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        format!("https://sts.{}.{suffix}", self.region)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedProfile {
    pub name: String,
    /// The profile's `region`; else `[default]`'s (aws-vault's fallback, so `exec` sets one).
    pub region: Option<String>,
    pub sts: StsEndpoint,
    pub source: CredentialSource,
    /// Where this profile's MFA codes may come from besides the prompt (`mfa_process`, ykman):
    /// its own settings, else its source profile's when that uses the same device.
    pub mfa_sources: MfaSourceSettings,
}

impl ResolvedProfile {
    /// The MFA device a credential request for this profile may ask a code for, if any.
    pub fn mfa_serial(&self) -> Option<&str> {
        match &self.source {
            CredentialSource::SessionToken { mfa_serial, .. } => Some(mfa_serial),
            CredentialSource::Role(role) => role.mfa_serial.as_deref().or_else(|| role.source.mfa_serial()),
            _ => None,
        }
    }

    pub fn role_arn(&self) -> Option<&str> {
        match &self.source {
            CredentialSource::Role(role) => Some(&role.role_arn),
            _ => None,
        }
    }
}

/// The environment variables resolution reads, captured so tests can supply their own.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub endpoint_url_sts: Option<String>,
    pub endpoint_url: Option<String>,
    pub ignore_configured_endpoint_urls: bool,
    pub region: Option<String>,
}

impl Environment {
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Environment {
            endpoint_url_sts: var("AWS_ENDPOINT_URL_STS"),
            endpoint_url: var("AWS_ENDPOINT_URL"),
            ignore_configured_endpoint_urls: var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
        }
    }
}

impl ProfileSet {
    /// A setting of the profile, or of the profiles it includes (aws-vault's `include_profile`).
    pub fn setting(&self, name: &str, key: &str) -> Result<Option<Setting<'_>>> {
        // The common case, no include_profile, allocates nothing.
        if let Some(found) = self.own_setting(name, key) {
            return Ok(Some(found));
        }
        if self.own_setting(name, "include_profile").is_none() {
            return Ok(None);
        }
        let mut current = name.to_string();
        let mut seen = vec![current.clone()];
        loop {
            if let Some(found) = self.own_setting(&current, key) {
                return Ok(Some(found));
            }
            let Some(include) = self.own_setting(&current, "include_profile") else {
                return Ok(None);
            };
            if !self.contains(include.value) {
                return Err(Error::ProfileReferenceNotFound {
                    profile: current.clone(),
                    key: "include_profile",
                    target: include.value.to_string(),
                    path: include.path.to_path_buf(),
                    line: include.line,
                });
            }
            if seen.iter().any(|s| s == include.value) {
                seen.push(include.value.to_string());
                return Err(Error::ProfileCycle {
                    key: "include_profile",
                    chain: seen.join(" → "),
                    path: include.path.to_path_buf(),
                    line: include.line,
                });
            }
            current = include.value.to_string();
            seen.push(current.clone());
        }
    }

    /// Resolves `name` with the process environment.
    pub fn resolve(&self, name: &str) -> Result<ResolvedProfile> {
        self.resolve_with(name, &Environment::from_process())
    }

    pub fn resolve_with(&self, name: &str, env: &Environment) -> Result<ResolvedProfile> {
        if !self.contains(name) {
            return Err(Error::ProfileNotFound {
                profile: name.to_string(),
                config: self.config_path().to_path_buf(),
                credentials: self.credentials_path().to_path_buf(),
            });
        }
        self.resolve_chain(name, env, &mut Vec::new())
    }

    fn resolve_chain(&self, name: &str, env: &Environment, chain: &mut Vec<String>) -> Result<ResolvedProfile> {
        // Rolebar's own output is not a source of keys, whether asked for or reached as a
        // `source_profile`.
        if let Some(written) = self.written_section(name) {
            return Err(self.written_error(name, &written));
        }
        let view = self.view(name);
        chain.push(name.to_string());
        let region = match view.value("region")? {
            Some(r) => Some(r),
            None => env.region.clone().or_else(|| self.default_region().map(str::to_string)),
        };
        let sts = self.sts_endpoint(&view, region.as_deref(), env)?;
        let mut keys_source = None;
        let source = self.credential_source(&view, env, chain, &mut keys_source)?;
        let own = OwnSettings::read(&view)?;
        let mut resolved = ResolvedProfile {
            name: name.to_string(),
            region,
            sts,
            source,
            mfa_sources: MfaSourceSettings::default(),
        };
        // The source profile whose settings could apply: a role's, or the one whose keys a
        // `source_profile` without `role_arn` uses.
        let source_profile = match &resolved.source {
            CredentialSource::Role(role) => Some(&role.source),
            _ => keys_source.as_ref(),
        };
        // Inherited only for the same device: a source's command makes codes for its device.
        let inherited = source_profile
            .filter(|s| s.mfa_serial().is_some() && s.mfa_serial() == resolved.mfa_serial())
            .map(|s| &s.mfa_sources);
        resolved.mfa_sources = own.over(inherited);
        Ok(resolved)
    }

    fn sts_endpoint(&self, view: &ProfileView<'_>, region: Option<&str>, env: &Environment) -> Result<StsEndpoint> {
        let name = view.name();
        let configured = if env.ignore_configured_endpoint_urls {
            None
        } else {
            view.value("endpoint_url")?
        };
        let regional = match view.get("sts_regional_endpoints")? {
            None => true,
            Some(s) if s.value.eq_ignore_ascii_case("regional") => true,
            Some(s) if s.value.eq_ignore_ascii_case("legacy") => false,
            Some(s) => return Err(s.invalid(name, "sts_regional_endpoints", "expected `regional` or `legacy`")),
        };
        Ok(StsEndpoint {
            region: region.unwrap_or("us-east-1").to_string(),
            url: env.endpoint_url_sts.clone().or(env.endpoint_url.clone()).or(configured),
            regional,
        })
    }

    fn credential_source(
        &self,
        view: &ProfileView<'_>,
        env: &Environment,
        chain: &mut Vec<String>,
        keys_source: &mut Option<ResolvedProfile>,
    ) -> Result<CredentialSource> {
        let name = view.name();
        let unsupported = |what: &'static str, reason: String| Ok(CredentialSource::Unsupported { what, reason });
        let role_arn = view.get("role_arn")?;
        if view.get("sso_session")?.is_some() || view.get("sso_start_url")?.is_some() {
            return unsupported(
                "SSO",
                "IAM Identity Center (SSO) sign-in is not supported yet; use `aws sso login --profile` for it".into(),
            );
        }
        if let Some(role_arn) = role_arn {
            if view.get("web_identity_token_file")?.is_some() {
                return unsupported(
                    "web identity",
                    "roles assumed with a web identity token are not supported yet".into(),
                );
            }
            if let Some(cs) = view.get("credential_source")? {
                return unsupported(
                    "credential_source",
                    format!(
                        "credential_source `{}` (instance or container credentials) is not supported",
                        cs.value
                    ),
                );
            }
            return self
                .role_source(view, role_arn, env, chain)
                .map(|r| CredentialSource::Role(Box::new(r)));
        }
        // aws-vault reads `source_profile` without `role_arn` as "use that profile's credentials".
        let keys_profile = match view.get("source_profile")? {
            Some(s) if s.value != name => {
                let source = self.checked_source(name, s, chain)?;
                let resolved = self.resolve_chain(&source, env, chain)?;
                chain.pop();
                match &resolved.source {
                    CredentialSource::Keys(keys) | CredentialSource::SessionToken { keys, .. } => {
                        let keys = keys.clone();
                        *keys_source = Some(resolved);
                        keys
                    }
                    other => return Ok(other.clone()),
                }
            }
            _ => self.key_source(view)?,
        };
        if view.get("credential_process")?.is_some() && keys_profile.file_keys.is_none() {
            return unsupported(
                "credential_process",
                "credential_process profiles are not served by Rolebar; the AWS CLI runs them itself".into(),
            );
        }
        Ok(match view.value("mfa_serial")? {
            Some(mfa_serial) => CredentialSource::SessionToken {
                keys: keys_profile,
                mfa_serial,
            },
            None => CredentialSource::Keys(keys_profile),
        })
    }

    /// Checks a `source_profile` reference: it exists and does not close a cycle.
    fn checked_source(&self, name: &str, source: Setting<'_>, chain: &[String]) -> Result<String> {
        if !self.contains(source.value) {
            return Err(Error::ProfileReferenceNotFound {
                profile: name.to_string(),
                key: "source_profile",
                target: source.value.to_string(),
                path: source.path.to_path_buf(),
                line: source.line,
            });
        }
        if chain.iter().any(|c| c == source.value) {
            let mut shown = chain.to_vec();
            shown.push(source.value.to_string());
            return Err(Error::ProfileCycle {
                key: "source_profile",
                chain: shown.join(" → "),
                path: source.path.to_path_buf(),
                line: source.line,
            });
        }
        Ok(source.value.to_string())
    }

    fn role_source(
        &self,
        view: &ProfileView<'_>,
        role_arn: Setting<'_>,
        env: &Environment,
        chain: &mut Vec<String>,
    ) -> Result<RoleSpec> {
        let name = view.name();
        if !role_arn.value.starts_with("arn:") {
            return Err(role_arn.invalid(
                name,
                "role_arn",
                "a role ARN looks like arn:aws:iam::123456789012:role/NAME",
            ));
        }
        let duration = match view.get("duration_seconds")? {
            None => None,
            Some(s) => match s.value.parse::<i64>() {
                Ok(secs) if (ROLE_DURATION_BOUNDS.0..=ROLE_DURATION_BOUNDS.1).contains(&secs) => {
                    Some(Duration::seconds(secs))
                }
                _ => {
                    return Err(s.invalid(
                        name,
                        "duration_seconds",
                        "expected whole seconds from 900 (15 minutes) to 43200 (12 hours)",
                    ))
                }
            },
        };
        let source = match view.get("source_profile")? {
            // A profile naming itself as source uses its own keys (AWS CLI rule).
            Some(s) if s.value == name => ResolvedProfile {
                name: name.to_string(),
                region: view.value("region")?,
                sts: self.sts_endpoint(view, view.value("region")?.as_deref(), env)?,
                source: CredentialSource::Keys(self.key_source(view)?),
                // Plain keys: no code is ever asked at this level.
                mfa_sources: MfaSourceSettings::default(),
            },
            Some(s) => {
                let source = self.checked_source(name, s, chain)?;
                let resolved = self.resolve_chain(&source, env, chain)?;
                chain.pop();
                if let CredentialSource::Unsupported { what, reason } = &resolved.source {
                    return Err(Error::UnsupportedProfile {
                        profile: source,
                        what,
                        reason: format!("{reason} (it is the source_profile of `{name}`)"),
                    });
                }
                resolved
            }
            None => {
                return Err(Error::InvalidSetting {
                    profile: name.to_string(),
                    key: "role_arn",
                    value: role_arn.value.to_string(),
                    path: role_arn.path.to_path_buf(),
                    line: role_arn.line,
                    reason: "a role needs `source_profile` to say whose keys assume it".into(),
                })
            }
        };
        Ok(RoleSpec {
            role_arn: role_arn.value.to_string(),
            mfa_serial: view.value("mfa_serial")?,
            external_id: view.value("external_id")?,
            role_session_name: view.value("role_session_name")?,
            duration,
            source,
        })
    }

    /// Keys for `name`: from the files if written there; the keyring is asked at run time.
    fn key_source(&self, view: &ProfileView<'_>) -> Result<KeySource> {
        let name = view.name();
        let file_keys = match view.get("aws_access_key_id")? {
            None => None,
            Some(id) => {
                let Some(secret) = view.get("aws_secret_access_key")? else {
                    return Err(Error::InvalidSetting {
                        profile: name.to_string(),
                        key: "aws_access_key_id",
                        value: id.value.to_string(),
                        path: id.path.to_path_buf(),
                        line: id.line,
                        reason: "aws_secret_access_key is missing beside it".into(),
                    });
                };
                let token = view.get("aws_session_token")?.or(view.get("aws_security_token")?);
                Some(FileKeys {
                    credentials: Credentials {
                        access_key_id: id.value.to_string(),
                        secret_access_key: secret.value.to_string().into(),
                        session_token: token.map(|t| t.value.to_string().into()),
                    },
                    path: id.path.to_path_buf(),
                    line: id.line,
                })
            }
        };
        Ok(KeySource {
            profile: name.to_string(),
            credentials_path: self.credentials_path().to_path_buf(),
            file_keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CONFIG: &str = "[default]\nregion = eu-west-1\n\n\
        [profile dev]\nsource_profile = vaulted\nrole_arn = arn:aws:iam::111111111111:role/dev\n\n\
        [profile session]\nsource_profile = vaulted\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n";

    fn files() -> ProfileSet {
        ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), "").expect("parses")
    }

    fn keyring_keys(name: &str) -> KeySource {
        KeySource {
            profile: name.to_string(),
            credentials_path: PathBuf::from("credentials"),
            file_keys: None,
        }
    }

    #[test]
    fn a_source_profile_only_in_the_keyring_is_unknown_unless_the_keyring_is_told() {
        let err = files()
            .resolve_with("dev", &Environment::default())
            .expect_err("no section, no keyring");
        assert_eq!(err.code(), "profile_reference_not_found");
    }

    #[test]
    fn a_profile_only_in_the_keyring_resolves_and_serves_as_source_profile() {
        let set = files().with_keyring_profiles(["vaulted"]);
        let env = Environment::default();

        let vaulted = set.resolve_with("vaulted", &env).expect("keyring-only profile");
        assert_eq!(vaulted.source, CredentialSource::Keys(keyring_keys("vaulted")));
        // No settings of its own: [default]'s region, as for any profile without one.
        assert_eq!(vaulted.region.as_deref(), Some("eu-west-1"));

        let dev = set.resolve_with("dev", &env).expect("role over a keyring-only source");
        let CredentialSource::Role(role) = &dev.source else {
            panic!("a role: {dev:?}");
        };
        assert_eq!(role.source, vaulted);

        let session = set
            .resolve_with("session", &env)
            .expect("MFA session over a keyring-only source");
        assert_eq!(
            session.source,
            CredentialSource::SessionToken {
                keys: keyring_keys("vaulted"),
                mfa_serial: "arn:aws:iam::111111111111:mfa/me".into(),
            }
        );

        let err = set
            .resolve_with("nowhere", &env)
            .expect_err("in no file and not in the keyring");
        assert_eq!(err.code(), "profile_not_found");
    }
}
