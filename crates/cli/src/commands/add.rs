//! `rolebar add PROFILE`: a profile's long-term access key into the OS keyring, typed, from the
//! environment (`--env`) or from ~/.aws/credentials (`--from-credentials-file`).

use crate::context;
use crate::prompt;
use rolebar_core::keystore::keys::check_profile_name;
use rolebar_core::profile::CredentialSource;
use rolebar_core::{Credentials, Result};
use std::process::ExitCode;

pub fn run(profile: &str, from_env: bool, from_file: bool) -> Result<ExitCode> {
    // Before asking for the keys: the key store refuses the name too, but only after the typing.
    check_profile_name(profile)?;
    let ctx = context::open()?;
    let keys = if from_env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Credentials::long_term(id, secret),
            _ => {
                eprintln!("rolebar: --env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set");
                return Ok(ExitCode::from(2));
            }
        }
    } else if from_file {
        let set = ctx.profiles()?;
        let resolved = set.resolve(profile)?;
        let file_keys = match resolved.source {
            CredentialSource::Keys(k) | CredentialSource::SessionToken { keys: k, .. } => k.file_keys,
            _ => None,
        };
        match file_keys {
            Some(f) if f.credentials.session_token.is_none() => f.credentials,
            Some(f) => {
                eprintln!(
                    "rolebar: the keys of `{profile}` in {} (line {}) carry a session token: they are temporary, not worth storing",
                    f.path.display(),
                    f.line
                );
                return Ok(ExitCode::from(2));
            }
            None => {
                eprintln!(
                    "rolebar: no keys for `{profile}` in {}",
                    ctx.paths.credentials.display()
                );
                return Ok(ExitCode::from(2));
            }
        }
    } else {
        let id = prompt::ask_visible("Enter Access Key ID")?;
        let secret = prompt::ask_secret("Enter Secret Access Key")?;
        if id.trim().is_empty() || secret.is_empty() {
            eprintln!("rolebar: both the access key id and the secret are needed");
            return Ok(ExitCode::from(2));
        }
        Credentials {
            access_key_id: id.trim().to_string(),
            secret_access_key: secret,
            session_token: None,
        }
    };
    ctx.vault.keys().add(profile, &keys, ctx.vault.cache().now())?;
    // Sessions made from the old keys would hide a mistake in the new ones.
    ctx.vault.cache().clear(profile)?;
    eprintln!(
        "Added credentials to profile \"{profile}\" in the OS keyring ({})",
        keys.masked_key_id()
    );
    Ok(ExitCode::SUCCESS)
}
