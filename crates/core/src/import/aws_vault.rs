//! `rolebar import aws-vault`: the long-term keys aws-vault stored, read where aws-vault keeps
//! them and stored with [`KeyStore::add`] (so the index and the key-age records are right).
//! aws-vault's own entries are only read, never changed.
//!
//! The formats are those of aws-vault v7 over 99designs/keyring v1.2: every backend holds a
//! `keyring.Item` as JSON (`{"Key":…,"Data":<base64>,"Label":…,…}`), whose `Data` is Go's
//! `aws.Credentials` as JSON (`{"AccessKeyID":…,"SecretAccessKey":…,"SessionToken":…,…}`).
//! Beside the keys (items named after the profile) aws-vault keeps its cached sessions
//! (`sts.GetSessionToken,<b64 profile>,<b64 mfa serial>,<unix expiry>` and older spellings) and
//! SSO tokens (`oidc:<start url>`): those are skipped, as `aws-vault list` does.

use super::items::BackendItems;
pub use super::items::{
    kind_of, parse_item, AwsVaultConfig, Backend, Content, ImportError, Kind, ListedKeys, PassphraseFn, Wanted,
};
use super::{file, pass};
use crate::keystore::keys::{check_profile_name, KeyStore};
use time::OffsetDateTime;

/// An item found in one of aws-vault's backends.
#[derive(Debug)]
pub struct Found {
    pub name: String,
    pub backend: Backend,
    pub content: Content,
}

/// What the scan saw, item by item (keys, and what was skipped with why).
#[derive(Debug, Default)]
pub struct Scan {
    pub found: Vec<Found>,
    /// Backends looked at, with the number of items each holds (sessions and tokens included).
    pub looked: Vec<(Backend, String, usize)>,
    /// Backends that could not be read, and why; the others are still imported.
    pub failed: Vec<(Backend, ImportError)>,
}

/// Reads aws-vault's items from every backend found (or the one `AWS_VAULT_BACKEND` names).
/// Only items named after a wanted profile are decrypted; sessions and tokens are listed by
/// name and never read.
pub fn scan(config: &AwsVaultConfig, wanted: &Wanted<'_>, passphrase: &mut PassphraseFn<'_>) -> Scan {
    let mut scan = Scan::default();
    for backend in Backend::ALL {
        if config.backend.is_some_and(|b| b != backend) {
            continue;
        }
        let result = match backend {
            Backend::SecretService => read_secret_service(config, wanted),
            Backend::File => file::read(&config.file_dir, wanted, passphrase),
            Backend::Pass => pass::read(config, wanted),
        };
        match result {
            Ok(Some((place, items))) => {
                scan.looked.push((backend, place, items.len()));
                scan.found.extend(
                    items
                        .into_iter()
                        .map(|(name, content)| Found { name, backend, content }),
                );
            }
            Ok(None) => {}
            Err(e) => scan.failed.push((backend, e)),
        }
    }
    scan
}

/// aws-vault's key profiles in its Secret Service collection, listed without unlocking it or
/// reading a secret (see [`ListedKeys`]); `None` where there is none to offer.
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
pub fn list_secret_service_keys(config: &AwsVaultConfig) -> Option<ListedKeys> {
    super::secret_service::list_keys(&config.collection)
}

#[cfg(not(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android")))))]
pub fn list_secret_service_keys(_: &AwsVaultConfig) -> Option<ListedKeys> {
    None
}

#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
fn read_secret_service(config: &AwsVaultConfig, wanted: &Wanted<'_>) -> Result<BackendItems, ImportError> {
    super::secret_service::read(&config.collection, wanted)
}

#[cfg(not(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android")))))]
fn read_secret_service(_: &AwsVaultConfig, _: &Wanted<'_>) -> Result<BackendItems, ImportError> {
    Ok(None)
}

/// What became of one found item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported,
    /// Rolebar holds this very key already.
    AlreadyThere,
    /// Rolebar holds another key for the profile (its masked id); kept unless replacing.
    KeptOther(String),
    /// Another backend's item for the same profile came first.
    Duplicate(Backend),
    Skipped(String),
}

/// One line of the report: never the secret, at most the masked key id.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub backend: Backend,
    pub masked_key_id: Option<String>,
    pub outcome: Outcome,
}

/// Stores the keys found (unless `dry_run`) and says what became of every item. The first
/// backend holding a profile's keys wins (Secret Service, file, pass: aws-vault's order on
/// Linux). Keys Rolebar already holds for a profile are kept unless `replace`.
pub fn import(
    keys: &KeyStore,
    scan: Scan,
    replace: bool,
    dry_run: bool,
    now: OffsetDateTime,
) -> Result<Vec<Line>, ImportError> {
    let held = keys.list();
    let mut lines: Vec<Line> = Vec::new();
    for found in scan.found {
        let (masked, outcome) = match found.content {
            Content::NotAsked => continue,
            Content::Unreadable(why) => (None, Outcome::Skipped(why)),
            Content::Temporary { masked_key_id } => (
                Some(masked_key_id),
                Outcome::Skipped("temporary keys (a session token): not worth storing".into()),
            ),
            Content::Keys(creds) => {
                let masked = creds.masked_key_id();
                let first = lines.iter().find(|l| {
                    l.name == found.name
                        && l.masked_key_id.is_some()
                        && l.backend != found.backend
                        && matches!(
                            l.outcome,
                            Outcome::Imported | Outcome::AlreadyThere | Outcome::KeptOther(_)
                        )
                });
                let outcome = if let Some(first) = first {
                    Outcome::Duplicate(first.backend)
                } else if let Err(e) = check_profile_name(&found.name) {
                    Outcome::Skipped(e.to_string())
                } else {
                    match held.get(&found.name) {
                        Some(r)
                            if r.masked_key_id == masked
                                && keys.get(&found.name)?.is_some_and(|k| {
                                    k.access_key_id == creds.access_key_id
                                        && k.secret_access_key.expose() == creds.secret_access_key.expose()
                                }) =>
                        {
                            Outcome::AlreadyThere
                        }
                        Some(r) if !replace => Outcome::KeptOther(r.masked_key_id.clone()),
                        _ => {
                            if !dry_run {
                                keys.add(&found.name, &creds, now)?;
                            }
                            Outcome::Imported
                        }
                    }
                };
                (Some(masked), outcome)
            }
        };
        lines.push(Line {
            name: found.name,
            backend: found.backend,
            masked_key_id: masked,
            outcome,
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::items::*;
    use base64::Engine as _;
    use std::path::PathBuf;

    fn item(creds_json: &str) -> Vec<u8> {
        let data = base64::engine::general_purpose::STANDARD.encode(creds_json);
        format!(r#"{{"Key":"dev","Data":"{data}","Label":"aws-vault (dev)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}}"#).into_bytes()
    }

    #[test]
    fn session_and_token_names_are_told_apart_as_aws_vault_does() {
        for name in [
            "sts.GetSessionToken,ZGV2,YXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjptZmEvbWU,1700000000",
            "sts.AssumeRole,YWRtaW4,,1700000000",
            "sso.GetRoleCredentials,c3Nv,,1700000000",
            "session,ZGV2,,1700000000",
            "session:dev:arn:1700000000",
            "dev session (1700000000)",
        ] {
            assert_eq!(kind_of(name), Kind::Session, "{name}");
        }
        assert_eq!(kind_of("oidc:https://example.awsapps.com/start"), Kind::OidcToken);
        for name in ["dev", "prod-admin", "a,b", "team.ops", "dev session"] {
            assert_eq!(kind_of(name), Kind::Keys, "{name}");
        }
    }

    #[test]
    fn an_item_as_aws_vault_add_writes_it_gives_the_keys() {
        let json = item(
            r#"{"AccessKeyID":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z"}"#,
        );
        let Content::Keys(creds) = parse_item(&json) else {
            panic!("keys expected")
        };
        assert_eq!(creds.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(
            creds.secret_access_key.expose(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        );
        assert!(creds.session_token.is_none());
    }

    #[test]
    fn temporary_or_broken_items_are_skipped_without_their_secret() {
        let json = item(
            r#"{"AccessKeyID":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s3cr3t-value","SessionToken":"tok","CanExpire":true}"#,
        );
        assert!(matches!(parse_item(&json), Content::Temporary { ref masked_key_id } if masked_key_id == "****MPLE"));
        for bad in [
            &b"not json s3cr3t-value"[..],
            br#"{"Key":"dev","Data":"%%%"}"#,
            &item(r#"{"AccessKeyID":""}"#),
        ] {
            let Content::Unreadable(why) = parse_item(bad) else {
                panic!("unreadable expected")
            };
            assert!(!why.contains("s3cr3t"), "{why}");
        }
    }

    #[test]
    fn config_follows_aws_vaults_variables_and_defaults() {
        let home = Some(PathBuf::from("/home/u"));
        let c = AwsVaultConfig::from_lookup(|_| None, home.clone()).expect("defaults");
        assert_eq!(c.backend, None);
        assert_eq!(c.collection, "awsvault");
        assert_eq!(c.file_dir, PathBuf::from("/home/u/.awsvault/keys/"));
        assert_eq!(c.pass_dir, PathBuf::from("/home/u/.password-store"));
        assert_eq!((c.pass_cmd.as_str(), c.pass_prefix.as_str()), ("pass", ""));
        let vars = |n: &str| match n {
            "AWS_VAULT_BACKEND" => Some("file".to_string()),
            "AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME" => Some("work".to_string()),
            "AWS_VAULT_FILE_DIR" => Some("~/vault".to_string()),
            "PASSWORD_STORE_DIR" => Some("/srv/pass".to_string()),
            "AWS_VAULT_PASS_PREFIX" => Some("aws-vault".to_string()),
            _ => None,
        };
        let c = AwsVaultConfig::from_lookup(vars, home.clone()).expect("set");
        assert_eq!(c.backend, Some(Backend::File));
        assert_eq!(c.collection, "work");
        assert_eq!(c.file_dir, PathBuf::from("/home/u/vault"));
        assert_eq!(c.pass_dir, PathBuf::from("/srv/pass"));
        assert_eq!(c.pass_prefix, "aws-vault");
        let bad = AwsVaultConfig::from_lookup(|n| (n == "AWS_VAULT_BACKEND").then(|| "keychain".into()), home);
        assert!(matches!(bad, Err(ImportError::UnknownBackend { .. })));
    }
}
