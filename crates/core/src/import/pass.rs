//! aws-vault's `pass` backend: each item is `<store>/<prefix>/<key>.gpg`, read with
//! `pass show <prefix>/<key>` (PASSWORD_STORE_DIR set to the store), whose output is the item's
//! JSON. With no prefix (aws-vault's default) the store holds every other password too, so only
//! names that are profiles (asked for, or in the AWS config) are read.

use super::items::{parse_item, skip_or_read, AwsVaultConfig, BackendItems, Content, ImportError, Wanted};
use std::path::Path;
use std::process::{Command, Stdio};

/// An item is a few hundred bytes of JSON.
const MAX_OUTPUT: u64 = 64 * 1024;

pub(super) fn read(config: &AwsVaultConfig, wanted: &Wanted<'_>) -> Result<BackendItems, ImportError> {
    let root = config.pass_dir.join(&config.pass_prefix);
    if !root.is_dir() {
        return Ok(None);
    }
    let names: Vec<String> = if config.pass_prefix.is_empty() {
        let candidates = if wanted.profiles.is_empty() {
            wanted.config_profiles
        } else {
            wanted.profiles
        };
        candidates
            .iter()
            .filter(|n| root.join(format!("{n}.gpg")).is_file())
            .cloned()
            .collect()
    } else {
        let mut names = Vec::new();
        walk(&root, "", &mut names).map_err(|e| ImportError::Pass {
            dir: root.clone(),
            detail: e.to_string(),
        })?;
        names.sort();
        names
    };
    if names.is_empty() {
        return Ok(None);
    }
    let mut items = Vec::new();
    for name in names {
        if let Some(skip) = skip_or_read(&name, wanted) {
            items.push((name, skip));
            continue;
        }
        let entry = if config.pass_prefix.is_empty() {
            name.clone()
        } else {
            format!("{}/{name}", config.pass_prefix.trim_end_matches('/'))
        };
        let content = show(config, &entry).unwrap_or_else(Content::Unreadable);
        items.push((name, content));
    }
    Ok(Some((root.display().to_string(), items)))
}

fn walk(dir: &Path, rel: &str, names: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Some(file) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let path = if rel.is_empty() {
            file.clone()
        } else {
            format!("{rel}/{file}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() && !file.starts_with('.') {
            walk(&entry.path(), &path, names)?;
        } else if let Some(name) = path.strip_suffix(".gpg").filter(|_| kind.is_file()) {
            names.push(name.to_string());
        }
    }
    Ok(())
}

/// `pass show`, its stderr left on the terminal (gpg's pinentry may ask there).
fn show(config: &AwsVaultConfig, entry: &str) -> Result<Content, String> {
    use std::io::Read;
    let mut child = Command::new(&config.pass_cmd)
        .args(["show", entry])
        .env("PASSWORD_STORE_DIR", &config.pass_dir)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", config.pass_cmd))?;
    let mut out = zeroize::Zeroizing::new(Vec::new());
    let read = child.stdout.take().map(|s| s.take(MAX_OUTPUT).read_to_end(&mut out));
    let status = child
        .wait()
        .map_err(|e| format!("`{} show` did not finish: {e}", config.pass_cmd))?;
    if !status.success() {
        return Err(format!("`{} show {entry}` failed ({status})", config.pass_cmd));
    }
    match read {
        Some(Ok(_)) => Ok(parse_item(&out)),
        _ => Err(format!("cannot read the output of `{} show {entry}`", config.pass_cmd)),
    }
}
