//! The main window's offer to bring aws-vault's keys over (`rolebar import aws-vault`'s work,
//! through `rolebar_core::import::aws_vault`) when Rolebar's keyring holds none.
//!
//! Finding them reads no secret and never prompts: aws-vault's `file` backend names each key
//! file after its profile, so listing the folder is enough (sessions and SSO tokens are told
//! apart by name, as aws-vault does). The finding is kept until an import, so the overview's
//! refreshes do not list the folder again. Only the `file` backend is offered: reading the
//! Secret Service collection would unlock it, which may prompt.
//!
//! Its own module, kept out of `state`, so the shell's state does not depend on the import.

use crate::error::{codes, CommandError};
use crate::state::AppState;
use crate::views::{AwsVaultImportLine, AwsVaultImportReport, AwsVaultOfferView, AwsVaultOutcomeView};
use rolebar_core::import::aws_vault::{self, AwsVaultConfig, Backend, Content, ImportError, Outcome, Wanted};
use rolebar_core::Secret;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// Managed by the app; cheap to clone into a blocking task.
#[derive(Debug, Clone, Default)]
pub struct ImportOffer(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// Where aws-vault keeps its keys; `None`: from the environment (`AWS_VAULT_FILE_DIR`, …)
    /// when first needed.
    config: Mutex<Option<AwsVaultConfig>>,
    /// The last finding (`Some(None)`: nothing found), until an import or a new config.
    found: Mutex<Option<Option<AwsVaultOfferView>>>,
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

    /// aws-vault's key profiles, from the finding kept or by listing its folder. Blocking (a
    /// directory listing): call it off the UI thread.
    pub fn find(&self) -> Option<AwsVaultOfferView> {
        if let Some(found) = lock(&self.0.found).clone() {
            return found;
        }
        let found = match self.config() {
            Ok(config) if matches!(config.backend, None | Some(Backend::File)) => list_file_backend(config),
            Ok(_) => None,
            Err(e) => {
                tracing::debug!("aws-vault's keys not looked for: {e}");
                None
            }
        };
        *lock(&self.0.found) = Some(found.clone());
        found
    }
}

/// The key profiles of aws-vault's `file` backend, by file name: every key item is "not asked
/// for" (the empty name matches no file), so none is opened and no passphrase is wanted.
fn list_file_backend(mut config: AwsVaultConfig) -> Option<AwsVaultOfferView> {
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
    let mut profiles: Vec<String> = scan
        .found
        .into_iter()
        .filter(|f| matches!(f.content, Content::NotAsked))
        .map(|f| f.name)
        .collect();
    profiles.sort();
    profiles.dedup();
    (!profiles.is_empty()).then(|| AwsVaultOfferView {
        profiles,
        place: config.file_dir.display().to_string(),
        needs_passphrase: true,
    })
}

/// Imports the keys of aws-vault's `file` backend with `passphrase`. A passphrase that does
/// not open them stores nothing. Blocking (PBKDF2, the keyring): call it off the UI thread.
pub fn import(
    state: &AppState,
    offer: &ImportOffer,
    passphrase: Option<&str>,
) -> Result<AwsVaultImportReport, CommandError> {
    let mut config = offer.config()?;
    config.backend = Some(Backend::File);
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
    let scan = aws_vault::scan(&config, &wanted, &mut typed);
    // A backend that could not be read (a wrong passphrase above all) stops the whole import:
    // half of it stored would leave the user unsure what to type again.
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
