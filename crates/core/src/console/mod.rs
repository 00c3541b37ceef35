//! The AWS console for a profile: the session it signs in with, the sign-in URL, the browser.
//!
//! Which session signs in, as aws-vault does:
//! - a role profile: its role session (AssumeRole credentials), from the cache, the tray's agent
//!   or STS, asking for an MFA code only when no session serves;
//! - a profile with long-term keys and no role: a federated user's session from
//!   GetFederationToken, made with the keys (a GetSessionToken session cannot sign in). It is
//!   named after the profile and carries an allow-all inline policy, which leaves the user with
//!   exactly the IAM user's own permissions (a session policy can only narrow). It is not cached:
//!   it serves only this sign-in, takes no MFA code, and costs one STS call.
//!
//! How long the console session lasts (`--duration`): AWS accepts `SessionDuration` only for a
//! role session made from long-term keys (15 minutes to 12 hours, and at most the role's maximum
//! session duration). A role assumed from temporary credentials (another role's session, or an
//! MFA session) signs in for at most 1 hour, and is sent no `SessionDuration` (AWS would refuse
//! the sign-in): a [`ConsoleNote`] says so. A federated user's console session lasts as long as
//! its token, so the duration goes to GetFederationToken (15 minutes to 36 hours).
//!
//! Front ends: [`sign_in_profile`] (a profile, assuming first when needed) and
//! [`sign_in_with_session`] (a session already held) give a [`ConsoleLogin`] whose URL is a
//! secret ([`SigninUrl`]); [`open_in_browser`] opens it, through a hand-off page so that the URL
//! is never in a process's arguments ([`handoff`]). The command line, which asks the tray's
//! agent for role sessions, uses the parts: [`plan`], [`ConsoleSession`], [`sign_in`],
//! [`hand_to_browser`].

pub(crate) mod browser;
pub(crate) mod error;
pub mod federation;
pub mod handoff;
pub mod partition;

pub use browser::{browser_commands, hand_to_browser, open_in_browser, BrowserCommand};
pub use error::ConsoleError;
pub use federation::{FederationClient, SigninUrl, ISSUER};
pub use handoff::{Handoff, HandoffKind, HandoffOptions, HANDOFF_BOUND};
pub use partition::{ConsoleTarget, Partition, ENDPOINT_VAR};

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::mfa::MfaPrompt;
use crate::profile::{CredentialSource, KeySource, ResolvedProfile};
use crate::session::operations::Sessions;
use crate::session::vault::Vault;
use crate::session::{Session, SessionKind};
use std::fmt;
use time::{Duration, OffsetDateTime};

/// The inline session policy of a federated user's session: allows everything, so the session
/// keeps exactly the IAM user's permissions (the intersection of the two).
pub const ALLOW_ALL_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// STS's limit on a federated user's name.
pub const FEDERATION_NAME_MAX: usize = 32;

/// A federated user's session when no `--duration` is given (aws-vault's default).
pub const FEDERATION_DEFAULT_DURATION: Duration = Duration::hours(1);

/// The console session of a role assumed from temporary credentials.
pub const CHAINED_CONSOLE_MAX: Duration = Duration::hours(1);

const MIN_DURATION: Duration = Duration::minutes(15);
/// `SessionDuration`'s maximum.
const ROLE_CONSOLE_MAX: Duration = Duration::hours(12);
/// GetFederationToken's maximum for an IAM user.
const FEDERATION_MAX: Duration = Duration::hours(36);

/// How the session that signs in was made, which decides how long the console may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOrigin {
    /// AssumeRole with an IAM user's long-term keys: `SessionDuration` is accepted.
    RoleFromKeys,
    /// AssumeRole with temporary credentials (another role's session, or an MFA session): the
    /// console session lasts at most 1 hour and `SessionDuration` is refused.
    RoleFromTemporary,
    /// GetFederationToken with long-term keys: the console session lasts as the token does.
    Federation,
}

/// What a sign-in will use for a profile, known from the profile alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The role session (from the cache, the agent or STS).
    Role,
    /// A federated user's session made with these keys; `mfa_serial` is the profile's device,
    /// which GetFederationToken cannot use.
    Federation {
        keys: KeySource,
        mfa_serial: Option<String>,
    },
}

/// The plan for `profile`, or why it cannot sign in.
pub fn plan(profile: &ResolvedProfile) -> Result<Plan> {
    match &profile.source {
        // An SSO role's credentials sign in as a role session does.
        CredentialSource::Role(_) | CredentialSource::Sso(_) => Ok(Plan::Role),
        CredentialSource::Keys(keys) => Ok(Plan::Federation {
            keys: keys.clone(),
            mfa_serial: None,
        }),
        CredentialSource::SessionToken { keys, mfa_serial } => Ok(Plan::Federation {
            keys: keys.clone(),
            mfa_serial: Some(mfa_serial.clone()),
        }),
        CredentialSource::Unsupported { what, reason } => Err(Error::UnsupportedProfile {
            profile: profile.name.clone(),
            what,
            reason: reason.clone(),
        }),
        CredentialSource::Process(_) => Err(Error::UnsupportedProfile {
            profile: profile.name.clone(),
            what: "credential_process",
            reason: "a console sign-in from its credentials is not supported yet; chain a role from it \
                     (source_profile) and sign in as the role"
                .into(),
        }),
    }
}

/// Refuses a `--duration` AWS would refuse for this plan, before any code is asked.
pub fn check_duration(profile: &ResolvedProfile, plan: &Plan, duration: Option<Duration>) -> Result<()> {
    let Some(d) = duration else { return Ok(()) };
    let (max, what) = match plan {
        Plan::Role => (ROLE_CONSOLE_MAX, "a role's console session lasts 15m to 12h"),
        Plan::Federation { .. } => (FEDERATION_MAX, "a federated user's console session lasts 15m to 36h"),
    };
    if d < MIN_DURATION || d > max {
        return Err(ConsoleError::InvalidDuration {
            profile: profile.name.clone(),
            reason: format!("{what}, not {} s", d.whole_seconds()),
        }
        .into());
    }
    Ok(())
}

/// A session that can sign in to the console.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    /// The profile asked for.
    pub profile: String,
    pub origin: SessionOrigin,
    pub credentials: Credentials,
    pub expires_at: OffsetDateTime,
}

impl ConsoleSession {
    /// `session`, a role session of `profile`, as a console session.
    pub fn from_role_session(profile: &ResolvedProfile, session: Session) -> ConsoleSession {
        ConsoleSession {
            profile: profile.name.clone(),
            origin: role_origin(profile, &session),
            credentials: session.credentials,
            expires_at: session.expires_at,
        }
    }
}

/// Whether `session` (a role session of `profile`) was assumed with long-term keys or with
/// temporary credentials, by the vault's rules (`vault::role_session`): chained roles and roles
/// sharing their source's MFA device use temporary credentials; a role with a device of its own
/// uses the keys; a role with no device uses its source's MFA session when one was cached, and
/// the session then carries that device.
pub fn role_origin(profile: &ResolvedProfile, session: &Session) -> SessionOrigin {
    let CredentialSource::Role(role) = &profile.source else {
        return SessionOrigin::RoleFromTemporary;
    };
    match &role.source.source {
        CredentialSource::Keys(_) => SessionOrigin::RoleFromKeys,
        CredentialSource::SessionToken { mfa_serial, .. } => match &role.mfa_serial {
            Some(own) if own == mfa_serial => SessionOrigin::RoleFromTemporary,
            Some(_) => SessionOrigin::RoleFromKeys,
            None if session.mfa_serial.is_some() => SessionOrigin::RoleFromTemporary,
            None => SessionOrigin::RoleFromKeys,
        },
        // Role chaining, and anything not made from keys, counts as temporary: the cautious
        // side (no SessionDuration sent) never makes AWS refuse the sign-in.
        _ => SessionOrigin::RoleFromTemporary,
    }
}

/// The federated user's name for `profile`: STS accepts 2 to 32 characters of `[\w+=,.@-]`, so
/// other characters become `-` and the name is cut at 32.
pub fn federation_name(profile: &str) -> String {
    let mut name: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(FEDERATION_NAME_MAX)
        .collect();
    if name.chars().count() < 2 {
        // Too short for STS: say who made it.
        name.push_str("-rolebar");
    }
    name
}

/// GetFederationToken for a profile with keys and no role (see the module doc). `duration`:
/// the console session's length (default [`FEDERATION_DEFAULT_DURATION`]).
pub async fn federation_session(
    vault: &Vault,
    profile: &ResolvedProfile,
    duration: Option<Duration>,
) -> Result<ConsoleSession> {
    let plan = plan(profile)?;
    let Plan::Federation { keys, .. } = &plan else {
        return Err(Error::UnsupportedProfile {
            profile: profile.name.clone(),
            what: "a role",
            reason: "a role profile signs in with its role session, not a federation token".into(),
        });
    };
    check_duration(profile, &plan, duration)?;
    let name = federation_name(&profile.name);
    let duration = duration.unwrap_or(FEDERATION_DEFAULT_DURATION);
    let reply = vault
        .federation_token(profile, keys, &name, ALLOW_ALL_POLICY, duration)
        .await?;
    tracing::info!(profile = %profile.name, federated_user = %name, key = %reply.credentials.masked_key_id(), "made a federation token for the console");
    Ok(ConsoleSession {
        profile: profile.name.clone(),
        origin: SessionOrigin::Federation,
        credentials: reply.credentials,
        expires_at: reply.expires_at,
    })
}

/// The console session for `profile` made here (no agent): its role session from the vault
/// (which asks `prompt` for a code only when no session serves, and renews an expired one), or a
/// federation token.
pub async fn console_session(
    vault: &Vault,
    profile: &ResolvedProfile,
    duration: Option<Duration>,
    prompt: &dyn MfaPrompt,
) -> Result<ConsoleSession> {
    let plan = plan(profile)?;
    check_duration(profile, &plan, duration)?;
    match plan {
        Plan::Role => {
            let session = vault.session(profile, prompt).await?;
            Ok(ConsoleSession::from_role_session(profile, session))
        }
        Plan::Federation { .. } => federation_session(vault, profile, duration).await,
    }
}

/// Something the user should know about a sign-in, shown beside it (the command line prints
/// it, the tray shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleNote {
    /// The role was assumed from temporary credentials: the console session lasts at most 1
    /// hour, whatever was asked.
    OneHourAtMost { profile: String, asked: Option<Duration> },
    /// The profile has an MFA device, which GetFederationToken cannot use.
    FederationWithoutMfa { profile: String, mfa_serial: String },
}

impl fmt::Display for ConsoleNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConsoleNote::OneHourAtMost { profile, asked } => {
                let asked = match asked {
                    Some(d) if *d > CHAINED_CONSOLE_MAX => format!(" (not the {} s asked)", d.whole_seconds()),
                    _ => String::new(),
                };
                write!(
                    f,
                    "the console session of `{profile}` lasts at most 1 hour{asked}: AWS signs in a role assumed from temporary credentials (another role's session, or an MFA session) for 1 hour at most"
                )
            }
            ConsoleNote::FederationWithoutMfa { profile, mfa_serial } => write!(
                f,
                "`{profile}` signs in as a federated user made with its keys; GetFederationToken takes no MFA code, so the console session has no MFA from {mfa_serial} and policies that require MFA will deny it"
            ),
        }
    }
}

/// A sign-in made: the secret URL, and what to tell the user.
#[derive(Debug, Clone)]
pub struct ConsoleLogin {
    pub url: SigninUrl,
    pub profile: String,
    pub region: String,
    pub partition: Partition,
    pub origin: SessionOrigin,
    /// The `SessionDuration` sent, if any.
    pub session_duration: Option<Duration>,
    /// When the session that signed in expires.
    pub session_expires_at: OffsetDateTime,
    pub notes: Vec<ConsoleNote>,
}

/// The sign-in URL for `session` on `target`, sending `SessionDuration` only where AWS accepts
/// it (see the module doc), with the notes that go with it.
pub async fn sign_in(
    session: &ConsoleSession,
    target: &ConsoleTarget,
    duration: Option<Duration>,
    client: &FederationClient,
) -> Result<ConsoleLogin> {
    let mut notes = Vec::new();
    let session_duration = match session.origin {
        SessionOrigin::RoleFromKeys => duration,
        SessionOrigin::RoleFromTemporary => {
            notes.push(ConsoleNote::OneHourAtMost {
                profile: session.profile.clone(),
                asked: duration,
            });
            None
        }
        // Already the token's own length; AWS refuses SessionDuration with it.
        SessionOrigin::Federation => None,
    };
    let std_duration = session_duration.map(|d| std::time::Duration::from_secs(d.whole_seconds().unsigned_abs()));
    let url = client
        .signin_url(&session.profile, &session.credentials, std_duration, target)
        .await?;
    tracing::info!(profile = %session.profile, region = %target.region, partition = target.partition.name(), origin = ?session.origin, "console sign-in URL made");
    Ok(ConsoleLogin {
        url,
        profile: session.profile.clone(),
        region: target.region.clone(),
        partition: target.partition,
        origin: session.origin,
        session_duration,
        session_expires_at: session.expires_at,
        notes,
    })
}

/// What a front end asks for.
#[derive(Debug, Clone, Default)]
pub struct ConsoleOptions {
    /// The console's region; default: the profile's.
    pub region: Option<String>,
    /// A console path (`ec2/home`); default: the console home.
    pub path: Option<String>,
    /// The console session's length (see the module doc); default: AWS's (roles) or 1 hour
    /// (federated users).
    pub duration: Option<Duration>,
}

/// The sign-in for `profile`, assuming its role first when no session serves (asking `prompt`
/// for a code then), with the federation endpoint from the environment.
pub async fn sign_in_profile(
    sessions: &Sessions,
    profile: &str,
    options: &ConsoleOptions,
    prompt: &dyn MfaPrompt,
) -> Result<ConsoleLogin> {
    let resolved = sessions.profiles()?.resolve(profile)?;
    let target = ConsoleTarget::for_profile(
        &resolved,
        options.region.as_deref().or(resolved.region.as_deref()),
        options.path.as_deref(),
    )?;
    let session = console_session(&sessions.vault, &resolved, options.duration, prompt).await?;
    finish(&resolved, session, &target, options).await
}

/// The sign-in with `session`, a session the front end holds (a menu's live session). A role
/// session signs in as it is; a GetSessionToken session cannot sign in, so its profile's keys
/// make a federation token instead (no code is asked).
pub async fn sign_in_with_session(
    sessions: &Sessions,
    session: &Session,
    options: &ConsoleOptions,
) -> Result<ConsoleLogin> {
    let resolved = sessions.profiles()?.resolve(&session.profile)?;
    let target = ConsoleTarget::for_profile(
        &resolved,
        options
            .region
            .as_deref()
            .or(session.region.as_deref())
            .or(resolved.region.as_deref()),
        options.path.as_deref(),
    )?;
    let console = match session.kind {
        // A credential_process's temporary credentials sign in as a role session's do.
        SessionKind::AssumeRole | SessionKind::SsoRole | SessionKind::CredentialProcess => {
            check_duration(&resolved, &Plan::Role, options.duration)?;
            if session.expires_at <= sessions.now() {
                return Err(crate::outputs::OutputError::SessionExpired {
                    profile: session.profile.clone(),
                }
                .into());
            }
            ConsoleSession::from_role_session(&resolved, session.clone())
        }
        SessionKind::GetSessionToken => federation_session(&sessions.vault, &resolved, options.duration).await?,
    };
    finish(&resolved, console, &target, options).await
}

async fn finish(
    resolved: &ResolvedProfile,
    session: ConsoleSession,
    target: &ConsoleTarget,
    options: &ConsoleOptions,
) -> Result<ConsoleLogin> {
    let mut login = sign_in(&session, target, options.duration, &FederationClient::default()).await?;
    login.notes.extend(plan_notes(resolved));
    Ok(login)
}

/// Notes known from the profile alone.
pub fn plan_notes(profile: &ResolvedProfile) -> Vec<ConsoleNote> {
    match plan(profile) {
        Ok(Plan::Federation {
            mfa_serial: Some(mfa_serial),
            ..
        }) => vec![ConsoleNote::FederationWithoutMfa {
            profile: profile.name.clone(),
            mfa_serial,
        }],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use crate::profile::ProfileSet;
    use std::path::Path;

    #[test]
    fn federated_user_names_fit_sts() {
        assert_eq!(federation_name("oppara-dev"), "oppara-dev");
        assert_eq!(federation_name("a.b@c+d=e,f_g"), "a.b@c+d=e,f_g");
        assert_eq!(federation_name("team/dev admin"), "team-dev-admin");
        assert_eq!(federation_name("開発"), "--");
        assert_eq!(federation_name("x"), "x-rolebar");
        let long = "a-very-long-profile-name-for-the-production-account";
        let name = federation_name(long);
        assert_eq!(name.len(), 32);
        assert!(long.starts_with(&name));
    }

    #[test]
    fn the_session_policy_allows_everything_and_is_json() {
        let v: serde_json::Value = serde_json::from_str(ALLOW_ALL_POLICY).expect("json");
        assert_eq!(v["Statement"][0]["Action"], "*");
        assert_eq!(v["Statement"][0]["Resource"], "*");
        assert_eq!(v["Statement"][0]["Effect"], "Allow");
    }

    const CONFIG: &str = "[default]\nregion = eu-west-1\n\
        [profile keys-mfa]\nmfa_serial = arn:aws:iam::1:mfa/u\n\
        [profile from-keys]\nsource_profile = default\nrole_arn = arn:aws:iam::1:role/a\nmfa_serial = arn:aws:iam::1:mfa/u\n\
        [profile chained]\nsource_profile = from-keys\nrole_arn = arn:aws:iam::1:role/b\n\
        [profile same-device]\nsource_profile = keys-mfa\nrole_arn = arn:aws:iam::1:role/c\nmfa_serial = arn:aws:iam::1:mfa/u\n\
        [profile own-device]\nsource_profile = keys-mfa\nrole_arn = arn:aws:iam::1:role/c\nmfa_serial = arn:aws:iam::1:mfa/other\n\
        [profile no-device]\nsource_profile = keys-mfa\nrole_arn = arn:aws:iam::1:role/c\n";
    const CREDENTIALS: &str = "[default]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = s\n\
        [keys-mfa]\naws_access_key_id = AKIAEXAMPLE000000002\naws_secret_access_key = s\n";

    fn resolved(name: &str) -> ResolvedProfile {
        ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), CREDENTIALS)
            .expect("parse")
            .resolve_with(name, &crate::profile::resolve::Environment::default())
            .expect("resolve")
    }

    fn role_session(mfa: Option<&str>) -> Session {
        Session {
            profile: "x".into(),
            kind: SessionKind::AssumeRole,
            credentials: Credentials::temporary("ASIAEXAMPLE000000001", "s", "t"),
            expires_at: OffsetDateTime::now_utc() + Duration::hours(1),
            issued_at: None,
            mfa_serial: mfa.map(str::to_string),
            role_arn: None,
            region: None,
        }
    }

    #[test]
    fn the_origin_follows_the_vaults_rules() {
        let with_mfa = role_session(Some("arn:aws:iam::1:mfa/u"));
        let without = role_session(None);
        assert_eq!(
            role_origin(&resolved("from-keys"), &with_mfa),
            SessionOrigin::RoleFromKeys
        );
        assert_eq!(
            role_origin(&resolved("chained"), &with_mfa),
            SessionOrigin::RoleFromTemporary
        );
        assert_eq!(
            role_origin(&resolved("same-device"), &with_mfa),
            SessionOrigin::RoleFromTemporary
        );
        assert_eq!(
            role_origin(&resolved("own-device"), &with_mfa),
            SessionOrigin::RoleFromKeys
        );
        assert_eq!(
            role_origin(&resolved("no-device"), &with_mfa),
            SessionOrigin::RoleFromTemporary
        );
        assert_eq!(
            role_origin(&resolved("no-device"), &without),
            SessionOrigin::RoleFromKeys
        );
    }

    #[test]
    fn plans_and_durations() {
        assert_eq!(plan(&resolved("from-keys")).expect("plan"), Plan::Role);
        let keys = resolved("default");
        assert!(matches!(plan(&keys), Ok(Plan::Federation { mfa_serial: None, .. })));
        let keys_mfa = resolved("keys-mfa");
        assert!(matches!(
            plan(&keys_mfa),
            Ok(Plan::Federation {
                mfa_serial: Some(_),
                ..
            })
        ));
        assert_eq!(plan_notes(&keys_mfa).len(), 1);
        assert!(plan_notes(&keys).is_empty());

        let role = resolved("from-keys");
        assert!(check_duration(&role, &Plan::Role, Some(Duration::hours(12))).is_ok());
        let e = check_duration(&role, &Plan::Role, Some(Duration::hours(13))).expect_err("13h");
        assert_eq!(e.code(), "console_duration_invalid");
        assert!(e.to_string().contains("15m to 12h"), "{e}");
        let federation = plan(&keys).expect("plan");
        assert!(check_duration(&keys, &federation, Some(Duration::hours(36))).is_ok());
        assert!(check_duration(&keys, &federation, Some(Duration::minutes(14))).is_err());
        assert!(check_duration(&keys, &federation, None).is_ok());
    }

    #[test]
    fn the_one_hour_note_says_what_was_asked() {
        let note = ConsoleNote::OneHourAtMost {
            profile: "dev".into(),
            asked: Some(Duration::hours(4)),
        };
        let text = note.to_string();
        assert!(text.contains("at most 1 hour (not the 14400 s asked)"), "{text}");
        let note = ConsoleNote::OneHourAtMost {
            profile: "dev".into(),
            asked: None,
        };
        assert!(!note.to_string().contains("asked)"));
    }
}
