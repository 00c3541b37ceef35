//! `rolebar import aws-vault [PROFILE…]`: aws-vault's long-term keys into Rolebar's keyring.

use crate::context;
use crate::prompt;
use clap::Subcommand;
use rolebar_core::import::aws_vault::{self, AwsVaultConfig, Backend, ImportError, Outcome, Wanted};
use rolebar_core::{Error, Result, Secret};
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Copy the long-term keys aws-vault stored (Secret Service collection, `file` backend,
    /// `pass`) into the OS keyring. aws-vault's entries are only read; its cached sessions and
    /// SSO tokens are left behind. Honours AWS_VAULT_BACKEND, AWS_VAULT_FILE_DIR,
    /// AWS_VAULT_FILE_PASSPHRASE, AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME and AWS_VAULT_PASS_*.
    AwsVault {
        /// Only these profiles (default: every key aws-vault holds).
        profiles: Vec<String>,
        /// Only this aws-vault backend: secret-service, file or pass (default: AWS_VAULT_BACKEND,
        /// else every one found).
        #[arg(long, value_parser = parse_backend)]
        backend: Option<Backend>,
        /// Show what would be imported; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace keys Rolebar already holds for a profile (kept by default).
        #[arg(long)]
        replace: bool,
    },
}

fn parse_backend(name: &str) -> std::result::Result<Backend, String> {
    Backend::parse(name).ok_or_else(|| format!("`{name}`: secret-service, file or pass"))
}

pub async fn run(source: ImportSource) -> Result<ExitCode> {
    // The Secret Service client is a blocking D-Bus one, and the passphrase prompt reads the
    // terminal: both off the async runtime.
    tokio::task::spawn_blocking(move || aws_vault_import(source))
        .await
        .map_err(|e| Error::KeyringFailed {
            entry: "aws-vault import".into(),
            detail: e.to_string(),
        })?
}

fn aws_vault_import(source: ImportSource) -> Result<ExitCode> {
    let ImportSource::AwsVault {
        profiles,
        backend,
        dry_run,
        replace,
    } = source;
    let mut config = match AwsVaultConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rolebar: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if backend.is_some() {
        config.backend = backend;
    }
    let ctx = context::open()?;
    // Profiles of ~/.aws/config: where aws-vault's `pass` items have no prefix, only those are read.
    let config_profiles: Vec<String> = ctx
        .profiles()
        .map(|set| set.names().map(str::to_string).collect())
        .unwrap_or_default();
    let mut passphrase = |dir: &Path| -> std::result::Result<Secret, ImportError> {
        // As aws-vault: the variable wins, even empty.
        if let Some(p) = std::env::var_os("AWS_VAULT_FILE_PASSPHRASE") {
            return Ok(Secret::new(p.to_string_lossy().as_ref()));
        }
        prompt::ask_secret(&format!("Enter passphrase to unlock \"{}\"", dir.display()))
            .map_err(|e| ImportError::NoPassphrase { detail: e.to_string() })
    };
    let wanted = Wanted {
        profiles: &profiles,
        config_profiles: &config_profiles,
    };
    let scan = aws_vault::scan(&config, &wanted, &mut passphrase);
    for (backend, place, count) in &scan.looked {
        eprintln!("aws-vault {backend}: {place} ({count} items)");
    }
    let failed: Vec<String> = scan.failed.iter().map(|(b, e)| format!("aws-vault {b}: {e}")).collect();
    let looked_any = !scan.looked.is_empty();
    let lines =
        aws_vault::import(ctx.vault.keys(), scan, replace, dry_run, ctx.vault.cache().now()).map_err(|e| match e {
            ImportError::Store(e) => *e,
            other => Error::KeyringFailed {
                entry: "aws-vault import".into(),
                detail: other.to_string(),
            },
        })?;
    for line in &failed {
        eprintln!("rolebar: {line}");
    }
    let mut imported = 0;
    for line in &lines {
        let key = line.masked_key_id.as_deref().unwrap_or("-");
        let what = match &line.outcome {
            Outcome::Imported if dry_run => "would be imported".to_string(),
            Outcome::Imported => {
                imported += 1;
                // Sessions made from other keys would hide a mistake in these.
                ctx.vault.cache().clear(&line.name)?;
                "imported".to_string()
            }
            Outcome::AlreadyThere => "already in Rolebar's keyring".to_string(),
            Outcome::KeptOther(other) => {
                format!("kept: Rolebar holds another key ({other}); --replace to take aws-vault's")
            }
            Outcome::Duplicate(first) => format!("skipped: the {first} backend's key came first"),
            Outcome::Skipped(why) => format!("skipped: {why}"),
        };
        println!("{:<32} {:<15} {key:<9} {what}", line.name, line.backend.name());
    }
    let missing: Vec<&String> = profiles
        .iter()
        .filter(|p| !lines.iter().any(|l| &l.name == *p))
        .collect();
    for p in &missing {
        eprintln!("rolebar: aws-vault holds no keys for `{p}`");
    }
    if !looked_any && failed.is_empty() {
        eprintln!(
            "rolebar: found no aws-vault keyring here (Secret Service collection `{}`, {}, pass)",
            config.collection,
            config.file_dir.display()
        );
    }
    if !dry_run {
        eprintln!("Imported {imported} key(s); aws-vault's entries are unchanged.");
    }
    Ok(if failed.is_empty() && missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
