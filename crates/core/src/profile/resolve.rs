//! Resolving a profile into how to get its credentials: the `source_profile` chain, roles,
//! MFA devices, durations and the STS endpoint.

use super::endpoints::{self, Service, ServiceEndpoints};
use super::mfa_sources::{MfaSourceSettings, OwnSettings};
use super::sso::{SsoRoleSpec, SsoSessionConfig};
use super::{ProfileSet, ProfileView, Setting};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::programs::credential_source::ProcessCommand;
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

/// A profile whose credentials come from its `credential_process`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSource {
    /// The keyring entry that, when it holds keys, is used instead of the command.
    pub keys: KeySource,
    pub command: ProcessCommand,
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
    /// Role credentials from IAM Identity Center (GetRoleCredentials with the sign-in's token).
    Sso(Box<SsoRoleSpec>),
    /// The profile's `credential_process`, run as the AWS CLI runs it; keys in Rolebar's keyring
    /// for the profile win over it (the line then serves other tools).
    Process(Box<ProcessSource>),
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

/// A region as botocore accepts it (`validate_region_name`): one DNS label of letters, digits
/// and inner hyphens, at most 63 characters.
fn is_region_name(value: &str) -> bool {
    let bytes = value.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// The profile's `region`, refused with its file and line when it could not name a region
/// (e.g. `us-east-1 # prod`: the AWS CLI keeps an inline comment as part of the value too).
fn checked_region(profile: &str, region: Setting<'_>) -> Result<String> {
    if is_region_name(region.value) {
        return Ok(region.value.to_string());
    }
    Err(region.invalid(
        profile,
        "region",
        "a region is one word of letters, digits and hyphens such as eu-west-1 (a `#` comment on the line is part of the value)",
    ))
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
    /// Where every service this profile's requests go to is reached, when configured
    /// (environment and files; see [`super::endpoints`]). STS's is also in `sts`, checked.
    pub endpoints: ServiceEndpoints,
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

    /// The SSO profile at the root of this profile's chain and its role, when the chain starts
    /// with an IAM Identity Center sign-in (the profile itself, or a role chained from one).
    pub fn sso_root(&self) -> Option<(&ResolvedProfile, &SsoRoleSpec)> {
        match &self.source {
            CredentialSource::Sso(role) => Some((self, role)),
            CredentialSource::Role(role) => role.source.sso_root(),
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

/// Whether a profile is resolved because it was asked for, or as another's `source_profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Asked,
    Source,
}

/// The environment variables resolution reads, captured so tests can supply their own.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub endpoint_url_sts: Option<String>,
    pub endpoint_url_sso: Option<String>,
    pub endpoint_url_sso_oidc: Option<String>,
    pub endpoint_url_iam: Option<String>,
    pub endpoint_url_signin: Option<String>,
    /// `AWS_ENDPOINT_URL`, for every service.
    pub endpoint_url: Option<String>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, when set: it wins over the profile's setting.
    pub ignore_configured_endpoint_urls: Option<bool>,
    pub region: Option<String>,
    /// `AWS_PROFILE`: whose settings apply to a sign-in named without a profile.
    pub profile: Option<String>,
}

impl endpoints::EndpointVariables for Environment {
    fn service_variable(&self, service: Service) -> Option<&String> {
        Environment::service_variable(self, service)
    }

    fn global_variable(&self) -> Option<&String> {
        self.endpoint_url.as_ref()
    }

    fn ignore_variable(&self) -> Option<bool> {
        self.ignore_configured_endpoint_urls
    }
}

impl Environment {
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Environment {
            endpoint_url_sts: var(Service::Sts.variable()),
            endpoint_url_sso: var(Service::Sso.variable()),
            endpoint_url_sso_oidc: var(Service::SsoOidc.variable()),
            endpoint_url_iam: var(Service::Iam.variable()),
            endpoint_url_signin: var(Service::Signin.variable()),
            endpoint_url: var(endpoints::GLOBAL_VARIABLE),
            ignore_configured_endpoint_urls: var(endpoints::IGNORE_VARIABLE)
                .map(|v| v.trim().eq_ignore_ascii_case("true")),
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
            profile: var("AWS_PROFILE"),
        }
    }

    /// `AWS_ENDPOINT_URL_<SERVICE>` of `service`.
    pub fn service_variable(&self, service: Service) -> Option<&String> {
        match service {
            Service::Sts => self.endpoint_url_sts.as_ref(),
            Service::Sso => self.endpoint_url_sso.as_ref(),
            Service::SsoOidc => self.endpoint_url_sso_oidc.as_ref(),
            Service::Iam => self.endpoint_url_iam.as_ref(),
            Service::Signin => self.endpoint_url_signin.as_ref(),
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
        self.resolve_chain(name, env, &mut Vec::new(), Use::Asked)
    }

    fn resolve_chain(
        &self,
        name: &str,
        env: &Environment,
        chain: &mut Vec<String>,
        used: Use,
    ) -> Result<ResolvedProfile> {
        // Rolebar's own output is not a source of keys, whether asked for or reached as a
        // `source_profile`.
        if let Some(written) = self.written_section(name) {
            return Err(self.written_error(name, &written));
        }
        let view = self.view(name);
        chain.push(name.to_string());
        // Checked here, where its file and line are known: a bad value would otherwise fail in
        // the SDK before any request is sent, and be reported as a reply Rolebar cannot use.
        let region = match view.get("region")? {
            Some(r) => Some(checked_region(name, r)?),
            None => match env.region.clone() {
                Some(r) => Some(r),
                None => match self.default_region() {
                    Some(r) => Some(checked_region("default", r)?),
                    None => None,
                },
            },
        };
        let endpoints = self.configured_endpoints(&view, env)?;
        let sts = self.sts_endpoint(&view, region.as_deref(), &endpoints)?;
        let mut keys_source = None;
        let source = self.credential_source(&view, env, chain, &mut keys_source, used)?;
        let own = OwnSettings::read(&view)?;
        let mut resolved = ResolvedProfile {
            name: name.to_string(),
            region,
            sts,
            endpoints,
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

    /// STS for `view`'s profile. Its configured endpoint is checked here, before any request, so
    /// a bad one is named with its file and line (or variable) rather than failing in the SDK.
    fn sts_endpoint(
        &self,
        view: &ProfileView<'_>,
        region: Option<&str>,
        endpoints: &ServiceEndpoints,
    ) -> Result<StsEndpoint> {
        let name = view.name();
        let regional = match view.get("sts_regional_endpoints")? {
            None => true,
            Some(s) if s.value.eq_ignore_ascii_case("regional") => true,
            Some(s) if s.value.eq_ignore_ascii_case("legacy") => false,
            Some(s) => return Err(s.invalid(name, "sts_regional_endpoints", "expected `regional` or `legacy`")),
        };
        Ok(StsEndpoint {
            region: region.unwrap_or("us-east-1").to_string(),
            url: endpoints.url(Service::Sts)?,
            regional,
        })
    }

    fn credential_source(
        &self,
        view: &ProfileView<'_>,
        env: &Environment,
        chain: &mut Vec<String>,
        keys_source: &mut Option<ResolvedProfile>,
        used: Use,
    ) -> Result<CredentialSource> {
        let name = view.name();
        let unsupported = |what: &'static str, reason: String| Ok(CredentialSource::Unsupported { what, reason });
        // A source profile with static keys of its own is used for those keys, whatever role or
        // source_profile it also names (botocore resolves a source's static keys before its
        // role); the profile asked for follows its role first.
        let own_keys_first = used == Use::Source
            && (view.get("aws_access_key_id")?.is_some() || view.get("aws_secret_access_key")?.is_some());
        let role_arn = if own_keys_first { None } else { view.get("role_arn")? };
        // A role chained from an SSO profile names it as source_profile; a profile with both
        // role_arn and SSO keys is read as the AWS CLI reads it: the role wins.
        if role_arn.is_none() {
            if let Some(sso) = self.sso_source(view, env)? {
                return Ok(sso);
            }
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
        let source_profile = if own_keys_first {
            None
        } else {
            view.get("source_profile")?
        };
        let keys_profile = match source_profile {
            Some(s) if s.value != name => {
                let source = self.checked_source(name, s, chain)?;
                let resolved = self.resolve_chain(&source, env, chain, Use::Source)?;
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
        // Keys in the files win, as for the AWS CLI (its credentials-file provider comes first).
        if let Some(process) = view
            .get("credential_process")?
            .filter(|_| keys_profile.file_keys.is_none())
        {
            return Ok(CredentialSource::Process(Box::new(ProcessSource {
                keys: keys_profile,
                command: ProcessCommand {
                    command: process.value.to_string(),
                    path: process.path.to_path_buf(),
                    line: process.line,
                },
            })));
        }
        Ok(match view.value("mfa_serial")? {
            Some(mfa_serial) => CredentialSource::SessionToken {
                keys: keys_profile,
                mfa_serial,
            },
            None => CredentialSource::Keys(keys_profile),
        })
    }

    /// The SSO role of a profile with `sso_session` (or the legacy `sso_start_url`), if it has
    /// one. A profile with the sign-in but no `sso_account_id`/`sso_role_name` only signs in.
    fn sso_source(&self, view: &ProfileView<'_>, env: &Environment) -> Result<Option<CredentialSource>> {
        let name = view.name();
        let Some(session) = self.sso_session_of(view, env)? else {
            return Ok(None);
        };
        let account = view.get("sso_account_id")?;
        let role = view.get("sso_role_name")?;
        let (account, role) = match (account, role) {
            (Some(account), Some(role)) => (account, role),
            (None, None) => {
                return Ok(Some(CredentialSource::Unsupported {
                    what: "SSO sign-in",
                    reason: format!(
                        "it has no sso_account_id and sso_role_name, so it only signs in to `{}` \
                         (`rolebar login-sso {name}`); add both to use a role",
                        session.display_name()
                    ),
                }))
            }
            (Some(given), None) => {
                return Err(given.invalid(name, "sso_account_id", "sso_role_name is missing beside it"))
            }
            (None, Some(given)) => {
                return Err(given.invalid(name, "sso_role_name", "sso_account_id is missing beside it"))
            }
        };
        if account.value.len() != 12 || !account.value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(account.invalid(name, "sso_account_id", "an account id is 12 digits"));
        }
        Ok(Some(CredentialSource::Sso(Box::new(SsoRoleSpec {
            session,
            account_id: account.value.to_string(),
            role_name: role.value.to_string(),
        }))))
    }

    /// The sign-in a profile uses: its `[sso-session]`, or the legacy keys in the profile. Keys
    /// in both places must agree (the AWS CLI refuses the profile too).
    fn sso_session_of(&self, view: &ProfileView<'_>, env: &Environment) -> Result<Option<SsoSessionConfig>> {
        let name = view.name();
        // The sign-in is reached where this profile says IAM Identity Center is (as botocore
        // makes its SSO clients with the profile in use).
        let endpoints = || -> Result<ServiceEndpoints> { Ok(self.configured_endpoints(view, env)?.sso_only()) };
        let legacy_url = view.get("sso_start_url")?;
        let legacy_region = view.get("sso_region")?;
        let Some(reference) = view.get("sso_session")? else {
            let Some(start_url) = legacy_url else {
                return Ok(None);
            };
            let Some(region) = legacy_region else {
                return Err(start_url.invalid(name, "sso_start_url", "sso_region is missing beside it"));
            };
            return Ok(Some(SsoSessionConfig {
                name: None,
                start_url: start_url.value.to_string(),
                region: region.value.to_string(),
                scopes: Vec::new(),
                endpoints: endpoints()?,
            }));
        };
        let Some(mut session) = self.sso_session_section_config(reference.value)? else {
            return Err(Error::ProfileReferenceNotFound {
                profile: name.to_string(),
                key: "sso_session",
                target: format!("[sso-session {}]", reference.value),
                path: reference.path.to_path_buf(),
                line: reference.line,
            });
        };
        let section_line = |key: &str| {
            self.sso_session_section(reference.value)
                .and_then(|s| s.get(key))
                .map_or(0, |p| p.line)
        };
        for (own, key, theirs) in [
            (legacy_url, "sso_start_url", &session.start_url),
            (legacy_region, "sso_region", &session.region),
        ] {
            if let Some(own) = own.filter(|own| own.value != theirs.as_str()) {
                return Err(own.invalid(
                    name,
                    key,
                    &format!(
                        "disagrees with `{theirs}` in [sso-session {}] ({} line {}); remove it from the profile",
                        reference.value,
                        self.config_path().display(),
                        section_line(key)
                    ),
                ));
            }
        }
        session.endpoints = endpoints()?;
        Ok(Some(session))
    }

    /// The sign-in `name` uses (`rolebar login-sso PROFILE`), whether or not it names a role.
    pub fn sso_session_of_profile(&self, name: &str) -> Result<Option<SsoSessionConfig>> {
        if !self.contains(name) {
            return Ok(None);
        }
        self.sso_session_of(&self.view(name), &Environment::from_process())
    }

    /// The sign-in `name` stands for: an `[sso-session NAME]`, else the one the profile `name`
    /// uses, else a legacy sign-in whose start URL is `name` (what the tray calls it).
    pub fn sign_in_named(&self, name: &str) -> Result<SsoSessionConfig> {
        if let Some(session) = self.sso_session(name)? {
            return Ok(session);
        }
        if self.contains(name) {
            return self
                .sso_session_of_profile(name)?
                .ok_or_else(|| Error::UnsupportedProfile {
                    profile: name.to_string(),
                    what: "not SSO",
                    reason: "it names no sso_session or sso_start_url, so there is nothing to sign in to".into(),
                });
        }
        for profile in self.names() {
            if let Ok(Some(session)) = self.sso_session_of_profile(profile) {
                if session.name.is_none() && session.start_url == name {
                    return Ok(session);
                }
            }
        }
        Err(Error::ProfileNotFound {
            profile: name.to_string(),
            config: self.config_path().to_path_buf(),
            credentials: self.credentials_path().to_path_buf(),
        })
    }

    /// The `[sso-session NAME]` sign-in itself; a section without its start URL or region is
    /// refused with where it is.
    pub fn sso_session(&self, session: &str) -> Result<Option<SsoSessionConfig>> {
        let env = Environment::from_process();
        let Some(mut config) = self.sso_session_section_config(session)? else {
            return Ok(None);
        };
        // Named without a profile, it is reached as the profile in use says (AWS_PROFILE, else
        // `default`), as `aws sso login --sso-session NAME` does.
        let profile = env.profile.clone().unwrap_or_else(|| "default".into());
        config.endpoints = self.configured_endpoints(&self.view(&profile), &env)?.sso_only();
        Ok(Some(config))
    }

    /// The `[sso-session NAME]` section as a sign-in, without its endpoints.
    fn sso_session_section_config(&self, session: &str) -> Result<Option<SsoSessionConfig>> {
        let Some(section) = self.sso_session_section(session) else {
            return Ok(None);
        };
        let required = |key: &'static str| match section.get(key) {
            Some(p) if !p.value.is_empty() => Ok(p.value.clone()),
            _ => Err(Error::InvalidSetting {
                profile: format!("sso-session {session}"),
                key,
                value: String::new(),
                path: self.config_path().to_path_buf(),
                line: section.line,
                reason: format!("[sso-session {session}] needs {key}"),
            }),
        };
        let scopes = section
            .get("sso_registration_scopes")
            .map(|p| {
                p.value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(SsoSessionConfig {
            name: Some(session.to_string()),
            start_url: required("sso_start_url")?,
            region: required("sso_region")?,
            scopes,
            endpoints: ServiceEndpoints::default(),
        }))
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
            // aws-vault: a role without source_profile assumes itself with the keys stored under
            // its own name in the keyring; only when the keyring has them.
            None if self.has_keyring_keys(name) => self.own_keys_profile(view, env)?,
            // Plain keys: no code is ever asked at this level.
            Some(s) if s.value == name => self.own_keys_profile(view, env)?,
            Some(s) => {
                let source = self.checked_source(name, s, chain)?;
                let resolved = self.resolve_chain(&source, env, chain, Use::Source)?;
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

    /// A role profile as the source of its own role: its keys, its region and endpoints.
    fn own_keys_profile(&self, view: &ProfileView<'_>, env: &Environment) -> Result<ResolvedProfile> {
        let region = view.value("region")?;
        let endpoints = self.configured_endpoints(view, env)?;
        Ok(ResolvedProfile {
            name: view.name().to_string(),
            sts: self.sts_endpoint(view, region.as_deref(), &endpoints)?,
            region,
            endpoints,
            source: CredentialSource::Keys(self.key_source(view)?),
            mfa_sources: MfaSourceSettings::default(),
        })
    }

    /// Keys for `name`: from the files if written there; the keyring is asked at run time.
    fn key_source(&self, view: &ProfileView<'_>) -> Result<KeySource> {
        let name = view.name();
        let file_keys = match view.get("aws_access_key_id")? {
            None => match view.get("aws_secret_access_key")? {
                None => None,
                // The secret alone: say which half is missing, never quoting the secret.
                Some(secret) => {
                    return Err(Error::InvalidSetting {
                        profile: name.to_string(),
                        key: "aws_secret_access_key",
                        value: "(secret not shown)".into(),
                        path: secret.path.to_path_buf(),
                        line: secret.line,
                        reason: "aws_access_key_id is missing beside it".into(),
                    })
                }
            },
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
    use crate::error_code::HasCode;
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

    const SSO_CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
        sso_region = eu-west-1\nsso_registration_scopes = sso:account:access, other\n\n\
        [profile sandbox-admin]\nsso_session = corp\nsso_account_id = 111111111111\n\
        sso_role_name = AdministratorAccess\nregion = us-east-2\n\n\
        [profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n\
        sso_account_id = 222222222222\nsso_role_name = ReadOnly\n\n\
        [profile chained]\nsource_profile = sandbox-admin\nrole_arn = arn:aws:iam::333333333333:role/deploy\n\n\
        [profile sign-in-only]\nsso_session = corp\n";

    fn sso_files(extra: &str) -> ProfileSet {
        let config = format!("{SSO_CONFIG}\n{extra}");
        ProfileSet::parse(Path::new("config"), &config, Path::new("credentials"), "").expect("parses")
    }

    fn sso_role(set: &ProfileSet, name: &str) -> SsoRoleSpec {
        match set
            .resolve_with(name, &Environment::default())
            .expect("resolves")
            .source
        {
            CredentialSource::Sso(role) => *role,
            other => panic!("an SSO role: {other:?}"),
        }
    }

    #[test]
    fn sso_profiles_resolve_in_the_session_and_the_legacy_form() {
        let set = sso_files("");
        assert_eq!(set.sso_session_names(), ["corp"]);
        let role = sso_role(&set, "sandbox-admin");
        assert_eq!(
            role.session,
            SsoSessionConfig {
                name: Some("corp".into()),
                start_url: "https://corp.awsapps.com/start".into(),
                region: "eu-west-1".into(),
                scopes: vec!["sso:account:access".into(), "other".into()],
                endpoints: ServiceEndpoints::default(),
            }
        );
        assert_eq!(
            (role.account_id.as_str(), role.role_name.as_str()),
            ("111111111111", "AdministratorAccess")
        );
        assert_eq!(role.role_arn(), "arn:aws:iam::111111111111:role/AdministratorAccess");

        let legacy = sso_role(&set, "legacy");
        assert_eq!(legacy.session.name, None);
        assert_eq!(legacy.session.display_name(), "https://old.awsapps.com/start");
        assert_eq!(legacy.session.region, "us-east-1");

        // A role chained from an SSO profile assumes with the SSO role's credentials.
        let chained = set.resolve_with("chained", &Environment::default()).expect("chained");
        let CredentialSource::Role(role) = &chained.source else {
            panic!("a role: {chained:?}");
        };
        assert!(matches!(role.source.source, CredentialSource::Sso(_)), "{role:?}");

        // Only a sign-in: listed, never misused, and its sign-in is found.
        let only = set
            .resolve_with("sign-in-only", &Environment::default())
            .expect("resolves");
        assert!(
            matches!(
                only.source,
                CredentialSource::Unsupported {
                    what: "SSO sign-in",
                    ..
                }
            ),
            "{only:?}"
        );
        let session = set
            .sso_session_of_profile("sign-in-only")
            .expect("reads")
            .expect("has one");
        assert_eq!(session.name.as_deref(), Some("corp"));
        assert_eq!(set.sso_session("corp").expect("reads"), Some(session));
    }

    #[test]
    fn bad_sso_settings_are_named_with_their_place() {
        let env = Environment::default();
        let set =
            sso_files("[profile lost]\nsso_session = nowhere\nsso_account_id = 111111111111\nsso_role_name = x\n");
        let err = set.resolve_with("lost", &env).expect_err("no such sso-session");
        assert_eq!(err.code(), "profile_reference_not_found");
        assert!(err.to_string().contains("[sso-session nowhere]"), "{err}");

        let set = sso_files(
            "[profile mixed]\nsso_session = corp\nsso_start_url = https://other.awsapps.com/start\n\
             sso_account_id = 111111111111\nsso_role_name = x\n",
        );
        let err = set.resolve_with("mixed", &env).expect_err("disagreeing start URLs");
        let text = err.to_string();
        assert_eq!(err.code(), "invalid_setting");
        assert!(
            text.contains("sso_start_url")
                && text.contains("https://corp.awsapps.com/start")
                && text.contains("line 2"),
            "{text}"
        );

        // The same value in both places is fine (what `aws configure sso` wrote once).
        let set = sso_files(
            "[profile agreed]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = x\n",
        );
        sso_role(&set, "agreed");

        let set = sso_files("[profile half]\nsso_session = corp\nsso_account_id = 111111111111\n");
        let err = set.resolve_with("half", &env).expect_err("no role name");
        assert!(err.to_string().contains("sso_role_name is missing"), "{err}");

        let set = sso_files("[profile short]\nsso_session = corp\nsso_account_id = 1111\nsso_role_name = x\n");
        assert!(set
            .resolve_with("short", &env)
            .expect_err("not 12 digits")
            .to_string()
            .contains("12 digits"));

        let set = sso_files("[profile noregion]\nsso_start_url = https://x.awsapps.com/start\nsso_account_id = 111111111111\nsso_role_name = x\n");
        assert!(set
            .resolve_with("noregion", &env)
            .expect_err("legacy without region")
            .to_string()
            .contains("sso_region is missing"));

        let set = sso_files("[sso-session empty]\nsso_region = eu-west-1\n[profile e]\nsso_session = empty\nsso_account_id = 111111111111\nsso_role_name = x\n");
        let err = set.resolve_with("e", &env).expect_err("session without start URL");
        assert!(
            err.to_string().contains("[sso-session empty] needs sso_start_url"),
            "{err}"
        );

        let err = ProfileSet::parse(
            Path::new("config"),
            "[sso-session a]\nsso_region = x\n[sso-session a]\nsso_region = y\n",
            Path::new("credentials"),
            "",
        )
        .expect_err("twice");
        assert!(err.to_string().contains("sso-session `a` is defined twice"), "{err}");
    }

    #[test]
    fn half_a_key_pair_names_the_missing_half_either_way() {
        let env = Environment::default();
        let credentials = "[secret-only]\naws_secret_access_key = fakeSecretFakeSecret\n\
                           [id-only]\naws_access_key_id = AKIAFAKEFAKEFAKE1234\n";
        let config = "[profile role]\nsource_profile = secret-only\nrole_arn = arn:aws:iam::111111111111:role/x\n";
        let set =
            ProfileSet::parse(Path::new("config"), config, Path::new("credentials"), credentials).expect("parses");
        for asked in ["secret-only", "role"] {
            let err = set.resolve_with(asked, &env).expect_err("no key id");
            let text = err.to_string();
            assert_eq!(err.code(), "invalid_setting", "{text}");
            assert!(
                text.contains("aws_access_key_id is missing beside it") && text.contains("credentials line 2"),
                "{text}"
            );
            assert!(!text.contains("fakeSecret") && !text.contains("rolebar add"), "{text}");
        }
        let err = set.resolve_with("id-only", &env).expect_err("no secret");
        assert!(
            err.to_string().contains("aws_secret_access_key is missing beside it"),
            "{err}"
        );
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
