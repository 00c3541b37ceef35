//! IAM Identity Center in the tray: how a sign-in is shown (the browser opens, a notification
//! says so), and signing in and out from the menu and the window. Every request that needs a
//! sign-in — a click, the window, the agent answering `credential_process` — goes through the
//! vault, which signs in once per sign-in however many ask at the same time.

use crate::error::CommandError;
use crate::notify;
use crate::shell::Shell;
use crate::sign_in_ui::TraySignIn;
use crate::state::AppState;
use rolebar_core::profile::SsoSessionConfig;
use rolebar_core::sso::{SignInFlow, SignInState};

fn sign_in_config(state: &AppState, name: &str) -> Result<SsoSessionConfig, CommandError> {
    Ok(state.sessions.profiles()?.sign_in_named(name)?)
}

/// Signs in to `name` (a new sign-in in the browser), then redraws the tray and the windows.
pub async fn sign_in(shell: &Shell, name: &str) -> Result<SignInState, CommandError> {
    let state = shell.state();
    state.set_signing_in(name, true);
    state.touch();
    let result = async {
        let session = sign_in_config(state, name)?;
        let access = state.sessions.vault.sso_access()?;
        let ui = TraySignIn::new(state.language_handle());
        Ok::<_, CommandError>(access.sso.sign_in(&session, SignInFlow::Pkce, &ui).await?)
    }
    .await;
    state.set_signing_in(name, false);
    state.touch();
    shell.windows().changed();
    result
}

/// Signs out of `name`: the sign-in ends (at AWS too when it answers), its token file goes, and
/// the role sessions made with it are dropped.
pub async fn sign_out(shell: &Shell, name: &str) -> Result<usize, CommandError> {
    let state = shell.state();
    let result = async {
        let set = state.sessions.profiles()?;
        let session = set.sign_in_named(name)?;
        state.sessions.vault.sso_access()?.sso.sign_out(&session).await?;
        let mut dropped = 0;
        for profile in rolebar_core::session::operations::sso_profiles(&set, &session) {
            dropped += state.sessions.vault.cache().clear(&profile)?;
        }
        Ok::<_, CommandError>(dropped)
    }
    .await;
    state.touch();
    shell.windows().changed();
    result
}

/// Whether the sign-in `name` has what renews it without the user (as the token cache says).
pub fn can_renew(state: &AppState, name: &str) -> bool {
    let sign_in = || -> Result<bool, CommandError> {
        let session = state.sessions.profiles()?.sign_in_named(name)?;
        Ok(state
            .sessions
            .vault
            .sso_access()?
            .sso
            .state(&session)?
            .is_some_and(|s| s.can_refresh))
    };
    sign_in().unwrap_or(false)
}

/// Renews the sign-in `name` without the user (its refresh token): the new token's end, or none
/// when AWS refused (the sign-in ended there) or there is nothing to renew it with.
pub async fn renewed_quietly(state: &AppState, name: &str) -> Option<time::OffsetDateTime> {
    let renewed = async {
        let session = state.sessions.profiles()?.sign_in_named(name)?;
        let sso = &state.sessions.vault.sso_access()?.sso;
        if sso.renew(&session).await?.is_none() {
            return Ok(None);
        }
        // The end as the token file has it (whole seconds): what the schedule watches, so the
        // next warning is known to be about the token just made.
        Ok::<_, CommandError>(sso.state(&session)?.map(|s| s.expires_at))
    }
    .await;
    renewed.unwrap_or_else(|e| {
        tracing::info!(sign_in = name, code = %e.code, "the SSO sign-in was not renewed: {}", e.message);
        None
    })
}

/// A menu click on "Sign in to NAME…": failures become a notification.
pub async fn sign_in_from_tray(shell: &Shell, name: &str) {
    let words = shell.state().catalog();
    match sign_in(shell, name).await {
        Ok(_) => notify::info(words.tr_args("note-sso-signed-in", &[("name", name.into())]), ""),
        Err(e) => notify::failure(
            words.tr_args("note-sso-sign-in-failed", &[("name", name.into())]),
            e.message,
        ),
    }
}

/// A menu click on "Sign out": failures become a notification.
pub async fn sign_out_from_tray(shell: &Shell, name: &str) {
    if let Err(e) = sign_out(shell, name).await {
        let words = shell.state().catalog();
        notify::failure(
            words.tr_args("note-sso-sign-out-failed", &[("name", name.into())]),
            e.message,
        );
    }
}

/// An account of a sign-in, with the roles the user may take there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SsoAccountView {
    pub account_id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<SsoRoleView>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SsoRoleView {
    pub role_name: String,
    /// The profile of `~/.aws/config` that already takes this role with this sign-in, if any.
    pub profile: Option<String>,
    /// A name for a new profile: `account-name-role-name`, lower case.
    pub suggested_profile: String,
}

/// Every account and role the sign-in `name` reaches (ListAccounts, ListAccountRoles), signing
/// in through the browser first when needed.
pub async fn accounts(state: &AppState, name: &str) -> Result<Vec<SsoAccountView>, CommandError> {
    let set = state.sessions.profiles()?;
    let session = set.sign_in_named(name)?;
    let access = state.sessions.vault.sso_access()?;
    let ui = TraySignIn::new(state.language_handle());
    let token = access.sso.access_token(&session, Some(&ui), SignInFlow::Pkce).await?;
    state.touch();
    let existing: Vec<(String, String, String)> = rolebar_core::session::operations::sso_profiles(&set, &session)
        .into_iter()
        .filter_map(|profile| match set.resolve(&profile).ok()?.source {
            rolebar_core::profile::CredentialSource::Sso(role) => Some((profile, role.account_id, role.role_name)),
            _ => None,
        })
        .collect();
    let mut views = Vec::new();
    for account in access.sso.accounts(&token).await? {
        let roles = access.sso.account_roles(&token, &account.account_id).await?;
        let roles = roles
            .into_iter()
            .map(|role_name| SsoRoleView {
                profile: existing
                    .iter()
                    .find(|(_, a, r)| *a == account.account_id && *r == role_name)
                    .map(|(p, _, _)| p.clone()),
                suggested_profile: suggested_name(&account.name, &role_name),
                role_name,
            })
            .collect();
        views.push(SsoAccountView {
            account_id: account.account_id,
            name: account.name,
            email: account.email,
            roles,
        });
    }
    Ok(views)
}

/// `Sandbox`, `AdministratorAccess` → `sandbox-administratoraccess`: lower case, runs of
/// anything but letters, digits, `-` and `_` made one `-`.
pub fn suggested_name(account: &str, role: &str) -> String {
    let mut name = String::new();
    for c in format!("{account}-{role}").chars() {
        if c.is_alphanumeric() || c == '_' {
            name.extend(c.to_lowercase());
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    name.trim_matches('-').to_string()
}

/// Adds `[profile PROFILE]` for a role of the sign-in `name` to `~/.aws/config` (appended, every
/// other byte kept), then redraws.
pub fn add_profile(
    shell: &Shell,
    name: &str,
    account_id: &str,
    role_name: &str,
    profile: &str,
    region: Option<&str>,
) -> Result<(), CommandError> {
    let state = shell.state();
    let session = state.sessions.profiles()?.sign_in_named(name)?;
    let Some(sso_session) = session.name.as_deref() else {
        return Err(CommandError::new(
            crate::error::codes::INVALID_INPUT,
            format!(
                "`{}` is signed in to from a profile's own sso_start_url; add an [sso-session] section for it to add profiles from here",
                session.start_url
            ),
        ));
    };
    rolebar_core::profile::append::append_sso_profile(
        &state.sessions.paths.config,
        &rolebar_core::profile::append::NewSsoProfile {
            name: profile,
            sso_session,
            account_id,
            role_name,
            region,
        },
    )?;
    tracing::info!(profile, sso_session, "SSO profile added to the config file");
    state.touch();
    shell.windows().changed();
    Ok(())
}
