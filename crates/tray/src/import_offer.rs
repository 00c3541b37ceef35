//! The main window's offer to bring aws-vault's keys over (`rolebar import aws-vault`'s work,
//! through `rolebar_core::import::aws_vault`) when Rolebar's keyring holds none.
//!
//! Finding them reads no secret and never prompts: aws-vault's `file` backend names each key
//! file after its profile, so listing the folder is enough, and its Secret Service items are
//! labelled with the profile, which the collection shows without being unlocked (sessions and
//! SSO tokens are told apart by name, as aws-vault does). A locked collection is not unlocked
//! here: the window says to unlock the keyring (the import, which the user asks for, unlocks
//! it as `rolebar import aws-vault` does). The finding is kept until an import, so the
//! overview's refreshes do not look again.
//!
//! Its own module, kept out of `state`, so the shell's state does not depend on the import.

use crate::error::{codes, CommandError};
use crate::state::AppState;
use crate::views::{AwsVaultImportLine, AwsVaultImportReport, AwsVaultOfferView, AwsVaultOutcomeView};
use rolebar_core::import::aws_vault::{self, AwsVaultConfig, Backend, Content, ImportError, Outcome, Wanted};
use rolebar_core::Secret;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// Held by the `Shell`; cheap to clone into a blocking task.
#[derive(Debug, Clone, Default)]
pub struct ImportOffer(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// Where aws-vault keeps its keys; `None`: from the environment (`AWS_VAULT_FILE_DIR`, …)
    /// when first needed.
    config: Mutex<Option<AwsVaultConfig>>,
    /// The last finding (`Some(None)`: nothing found), until an import or a new config.
    found: Mutex<Option<Option<Finding>>>,
}

#[derive(Debug, Clone)]
struct Finding {
    view: AwsVaultOfferView,
    /// The backends holding keys: the import reads these only (never `pass`, whose `gpg` may
    /// ask for a passphrase on a terminal the app does not have).
    backends: Vec<Backend>,
}

impl ImportOffer {
    /// Looks in `config`'s places instead of the environment's (tests, a temporary HOME).
    pub fn set_config(&self, config: AwsVaultConfig) {
        *lock(&self.0.config) = Some(config);
        self.forget();
    }

    /// Looks again next time (after an import: the keys are Rolebar's now).
    pub fn forget(&self) {
        *lock(&self.0.found) = None;
    }

    fn config(&self) -> Result<AwsVaultConfig, CommandError> {
        let mut config = lock(&self.0.config);
        if let Some(config) = config.as_ref() {
            return Ok(config.clone());
        }
        let from_env = AwsVaultConfig::from_env().map_err(|e| unreadable(&e))?;
        *config = Some(from_env.clone());
        Ok(from_env)
    }

    /// aws-vault's key profiles, from the finding kept or by looking (a folder listing, a
    /// D-Bus call): blocking, so called off the UI thread. `secret_service`: whether a Secret
    /// Service runs now (see [`secret_service_running`]); when none does, its collection is not
    /// looked for, since asking would start one.
    pub fn find(&self, secret_service: bool) -> Option<AwsVaultOfferView> {
        self.finding_with(secret_service).map(|f| f.view)
    }

    fn finding(&self) -> Option<Finding> {
        self.finding_with(true)
    }

    fn finding_with(&self, secret_service: bool) -> Option<Finding> {
        if let Some(found) = lock(&self.0.found).clone() {
            return found;
        }
        let found = match self.config() {
            Ok(config) => look(&config, secret_service),
            Err(e) => {
                tracing::debug!("aws-vault's keys not looked for: {e}");
                None
            }
        };
        *lock(&self.0.found) = Some(found.clone());
        found
    }
}

/// Where aws-vault holds keys, as `config` says where to look (Secret Service first: aws-vault's
/// order on Linux, which the import keeps for a profile held twice).
fn look(config: &AwsVaultConfig, secret_service: bool) -> Option<Finding> {
    let wants = |b: Backend| config.backend.is_none() || config.backend == Some(b);
    let mut profiles = Vec::new();
    let mut places = Vec::new();
    let mut backends = Vec::new();
    let mut locked = false;
    if secret_service && wants(Backend::SecretService) {
        if let Some(listed) = aws_vault::list_secret_service_keys(config) {
            profiles.extend(listed.profiles);
            places.push(format!("Secret Service collection `{}`", config.collection));
            locked = listed.locked;
            backends.push(Backend::SecretService);
        }
    }
    if wants(Backend::File) {
        let listed = list_file_backend(config.clone());
        if !listed.is_empty() {
            profiles.extend(listed);
            places.push(config.file_dir.display().to_string());
            backends.push(Backend::File);
        }
    }
    profiles.sort();
    profiles.dedup();
    (!backends.is_empty()).then(|| Finding {
        view: AwsVaultOfferView {
            profiles,
            places,
            needs_passphrase: backends.contains(&Backend::File),
            keyring_locked: locked,
        },
        backends,
    })
}

/// The key profiles of aws-vault's `file` backend, by file name: every key item is "not asked
/// for" (the empty name matches no file), so none is opened and no passphrase is wanted.
fn list_file_backend(mut config: AwsVaultConfig) -> Vec<String> {
    config.backend = Some(Backend::File);
    let none = [String::new()];
    let wanted = Wanted {
        profiles: &none,
        config_profiles: &[],
    };
    let mut no_passphrase = |_: &Path| -> Result<Secret, ImportError> {
        Err(ImportError::NoPassphrase {
            detail: "not asked while listing".into(),
        })
    };
    let scan = aws_vault::scan(&config, &wanted, &mut no_passphrase);
    for (backend, e) in &scan.failed {
        tracing::debug!(%backend, "aws-vault's keys not listed: {e}");
    }
    scan.found
        .into_iter()
        .filter(|f| matches!(f.content, Content::NotAsked))
        .map(|f| f.name)
        .collect()
}

/// Whether a Secret Service owns its name on the session bus now. Looking for aws-vault's
/// collection must not start one: the first call to an unowned name makes the bus activate
/// gnome-keyring, which can take the whole D-Bus timeout (the window would wait for it).
#[cfg(all(unix, not(target_os = "macos")))]
pub async fn secret_service_running() -> bool {
    let Ok(conn) = zbus::Connection::session().await else {
        return false;
    };
    let Ok(proxy) = zbus::fdo::DBusProxy::new(&conn).await else {
        return false;
    };
    let Ok(name) = zbus::names::BusName::try_from("org.freedesktop.secrets") else {
        return false;
    };
    proxy.name_has_owner(name).await.unwrap_or(false)
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
pub async fn secret_service_running() -> bool {
    false
}

/// Imports the keys of the backends where aws-vault's keys were found (the `file` backend's
/// with `passphrase`). A backend that cannot be read, a wrong passphrase above all, stores
/// nothing. Blocking (D-Bus, PBKDF2, the keyring): call it off the UI thread.
pub fn import(
    state: &AppState,
    offer: &ImportOffer,
    passphrase: Option<&str>,
) -> Result<AwsVaultImportReport, CommandError> {
    let config = offer.config()?;
    let Some(found) = offer.finding() else {
        return Err(CommandError::new(
            codes::AWS_VAULT_UNREADABLE,
            "found no aws-vault keys to import (its Secret Service collection, its key files)",
        ));
    };
    let mut typed = |_: &Path| -> Result<Secret, ImportError> {
        match passphrase {
            Some(p) if !p.is_empty() => Ok(Secret::new(p)),
            _ => Err(ImportError::NoPassphrase {
                detail: "type aws-vault's passphrase".into(),
            }),
        }
    };
    let wanted = Wanted {
        profiles: &[],
        config_profiles: &[],
    };
    let mut scan = aws_vault::Scan::default();
    for backend in found.backends {
        let one = AwsVaultConfig {
            backend: Some(backend),
            ..config.clone()
        };
        let part = aws_vault::scan(&one, &wanted, &mut typed);
        scan.found.extend(part.found);
        scan.looked.extend(part.looked);
        scan.failed.extend(part.failed);
    }
    // Half an import would leave the user unsure what to type again: all or nothing.
    if let Some((_, e)) = scan.failed.first() {
        return Err(match e {
            ImportError::WrongPassphrase { .. } | ImportError::NoPassphrase { .. } => {
                CommandError::new(codes::AWS_VAULT_PASSPHRASE, e.to_string())
            }
            other => unreadable(other),
        });
    }
    let lines =
        aws_vault::import(state.sessions.vault.keys(), scan, false, false, state.now()).map_err(|e| match e {
            ImportError::Store(e) => CommandError::from(*e),
            other => unreadable(&other),
        })?;
    let mut imported = 0;
    let mut view = Vec::with_capacity(lines.len());
    for line in lines {
        let (outcome, detail) = match line.outcome {
            Outcome::Imported => {
                imported += 1;
                // Sessions made from other keys would hide a mistake in these.
                state.sessions.vault.cache().clear(&line.name)?;
                (AwsVaultOutcomeView::Imported, None)
            }
            Outcome::AlreadyThere => (AwsVaultOutcomeView::AlreadyThere, None),
            Outcome::KeptOther(other) => (AwsVaultOutcomeView::KeptOther, Some(other)),
            Outcome::Duplicate(first) => (AwsVaultOutcomeView::Duplicate, Some(first.name().to_string())),
            Outcome::Skipped(why) => (AwsVaultOutcomeView::Skipped, Some(why)),
        };
        view.push(AwsVaultImportLine {
            profile: line.name,
            backend: line.backend.name().to_string(),
            masked_key_id: line.masked_key_id,
            outcome,
            detail,
        });
    }
    tracing::info!(imported, "aws-vault's keys imported; its entries are unchanged");
    offer.forget();
    state.touch();
    Ok(AwsVaultImportReport { imported, lines: view })
}

fn unreadable(e: &ImportError) -> CommandError {
    CommandError::new(codes::AWS_VAULT_UNREADABLE, e.to_string())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
