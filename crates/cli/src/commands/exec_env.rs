//! What `exec` and `exec --server` share: the command they run, what they put into its
//! environment and take out of it, and the refusal of an `exec` inside another.

use rolebar_core::{Error, Result};

/// Set in `exec`'s environment; its presence refuses a nested `exec`.
pub const PROFILE_VAR: &str = "ROLEBAR_PROFILE";

/// Variables that would give a command other credentials or another profile than the session
/// `exec` hands it: removed first (also by `exec --server`).
pub const STALE_VARIABLES: [&str; 11] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_FILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_PROFILE",
    "AWS_SDK_LOAD_CONFIG",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

/// Refuses an `exec` run by the command of another: the outer session's variables would be
/// what the inner command's tools use.
pub fn refuse_nested() -> Result<()> {
    if let Ok(current) = std::env::var(PROFILE_VAR) {
        if !current.is_empty() {
            return Err(Error::NestedExec { profile: current });
        }
    }
    Ok(())
}

/// The command to run: as given, or the user's shell.
pub fn program_and_args(command: Vec<String>) -> (String, Vec<String>) {
    match command.split_first() {
        Some((p, a)) => (p.clone(), a.to_vec()),
        None => (
            std::env::var("SHELL")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
            vec![],
        ),
    }
}
