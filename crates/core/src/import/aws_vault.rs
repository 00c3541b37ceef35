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

use super::{file, pass};
use crate::credentials::Credentials;
use crate::keys::{check_profile_name, KeyStore};
use crate::sensitive::{mask_key_id, Secret};
use base64::Engine as _;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// Where aws-vault keeps items (its `--backend` / `AWS_VAULT_BACKEND` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backend {
    SecretService,
    File,
    Pass,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::SecretService, Backend::File, Backend::Pass];

    /// aws-vault's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::File => "file",
            Backend::Pass => "pass",
        }
    }

    pub fn parse(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where to look, as aws-vault's flags and `AWS_VAULT_*` variables say (cli/global.go).
#[derive(Debug, Clone)]
pub struct AwsVaultConfig {
    /// Only this backend (`AWS_VAULT_BACKEND`); `None`: every one found.
    pub backend: Option<Backend>,
    /// `AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME`, default `awsvault`.
    pub collection: String,
    /// `AWS_VAULT_FILE_DIR`, default `~/.awsvault/keys/`.
    pub file_dir: PathBuf,
    /// `AWS_VAULT_PASS_PASSWORD_STORE_DIR`, else `PASSWORD_STORE_DIR`, else `~/.password-store`.
    pub pass_dir: PathBuf,
    /// `AWS_VAULT_PASS_CMD`, default `pass`.
    pub pass_cmd: String,
    /// `AWS_VAULT_PASS_PREFIX`, default none.
    pub pass_prefix: String,
}

impl AwsVaultConfig {
    /// From the environment, with aws-vault's defaults.
    pub fn from_env() -> Result<Self, ImportError> {
        Self::from_lookup(
            |name| std::env::var(name).ok().filter(|v| !v.is_empty()),
            dirs::home_dir(),
        )
    }

    pub fn from_lookup(var: impl Fn(&str) -> Option<String>, home: Option<PathBuf>) -> Result<Self, ImportError> {
        let backend = match var("AWS_VAULT_BACKEND") {
            None => None,
            Some(name) => Some(Backend::parse(&name).ok_or(ImportError::UnknownBackend { name })?),
        };
        let expand = |p: String| expand_tilde(&p, home.as_deref());
        let pass_dir = var("AWS_VAULT_PASS_PASSWORD_STORE_DIR")
            .or_else(|| var("PASSWORD_STORE_DIR"))
            .unwrap_or_else(|| "~/.password-store".into());
        Ok(AwsVaultConfig {
            backend,
            collection: var("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME").unwrap_or_else(|| "awsvault".into()),
            file_dir: expand(var("AWS_VAULT_FILE_DIR").unwrap_or_else(|| "~/.awsvault/keys/".into())),
            pass_dir: expand(pass_dir),
            pass_cmd: var("AWS_VAULT_PASS_CMD").unwrap_or_else(|| "pass".into()),
            pass_prefix: var("AWS_VAULT_PASS_PREFIX").unwrap_or_default(),
        })
    }
}

/// keyring's ExpandTilde: a leading `~/` (or a lone `~`) is the home directory.
fn expand_tilde(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home.to_path_buf(),
        (Some(rest), Some(home)) if rest.starts_with('/') => home.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(path),
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("AWS_VAULT_BACKEND={name} is not a backend Rolebar can import from (secret-service, file, pass)")]
    UnknownBackend { name: String },
    #[error("cannot read aws-vault's Secret Service collection `{collection}`: {detail}")]
    SecretService { collection: String, detail: String },
    #[error("cannot read aws-vault's key files in {}: {source}", dir.display())]
    FileDir { dir: PathBuf, source: std::io::Error },
    #[error("the passphrase does not open aws-vault's key file {} (AWS_VAULT_FILE_PASSPHRASE or the one typed)", path.display())]
    WrongPassphrase { path: PathBuf },
    #[error("no passphrase for aws-vault's key files: {detail}")]
    NoPassphrase { detail: String },
    #[error("cannot read aws-vault's pass store {}: {detail}", dir.display())]
    Pass { dir: PathBuf, detail: String },
    #[error(transparent)]
    Store(Box<crate::Error>),
}

impl From<crate::Error> for ImportError {
    fn from(e: crate::Error) -> Self {
        ImportError::Store(Box::new(e))
    }
}

/// One item of aws-vault's, by name, before its secret is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Named after a profile: long-term keys (aws-vault's `CredentialKeyring`).
    Keys,
    /// A cached STS session (`SessionKeyring`).
    Session,
    /// An IAM Identity Center token (`OIDCTokenKeyring`).
    OidcToken,
}

/// aws-vault's `IsSessionKey` / `IsOIDCTokenKey` (vault/sessionkeyring.go, oidctokenkeyring.go).
pub fn kind_of(name: &str) -> Kind {
    if name.starts_with("oidc:") {
        Kind::OidcToken
    } else if is_session_key(name) {
        Kind::Session
    } else {
        Kind::Keys
    }
}

fn is_session_key(s: &str) -> bool {
    let digits = |d: &str, min: usize| d.len() >= min && d.bytes().all(|b| b.is_ascii_digit());
    // `^[^,]+,[^,]+,[^,]*,[0-9]{1,}$`, and the older `session,…,[0-9]{2,}` it includes.
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() == 4 && !parts[0].is_empty() && !parts[1].is_empty() && digits(parts[3], 1) {
        return true;
    }
    // `^session:[^ ]+:[^ ]*:[^:]+$`
    if let Some(rest) = s.strip_prefix("session:") {
        let parts: Vec<&str> = rest.split(':').collect();
        if parts.len() == 3
            && !parts[0].is_empty()
            && !parts[0].contains(' ')
            && !parts[1].contains(' ')
            && !parts[2].is_empty()
        {
            return true;
        }
    }
    // `^(.+?) session \((\d+)\)$`
    if let Some(head) = s.strip_suffix(')') {
        if let Some((name, n)) = head.rsplit_once(" session (") {
            return !name.is_empty() && digits(n, 1);
        }
    }
    false
}

/// keyring's `Item` as it marshals it (Go's default field names; `Data` is `[]byte`, so base64).
#[derive(Deserialize)]
struct KeyringItem {
    #[serde(rename = "Data", alias = "data")]
    data: Option<Zeroizing<String>>,
}

/// aws-sdk-go-v2's `aws.Credentials` (no JSON tags: Go's field names).
#[derive(Deserialize)]
struct GoCredentials {
    #[serde(rename = "AccessKeyID", alias = "accesskeyid", default)]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey", alias = "secretaccesskey", default)]
    secret_access_key: Zeroizing<String>,
    #[serde(rename = "SessionToken", alias = "sessiontoken", default)]
    session_token: Option<Zeroizing<String>>,
}

/// What one item held. Never the secret in a message.
#[derive(Debug)]
pub enum Content {
    Keys(Credentials),
    /// Keys with a session token: temporary, not worth storing.
    Temporary {
        masked_key_id: String,
    },
    Unreadable(String),
    /// Keys of a profile not asked for: never decrypted, left out of the report.
    NotAsked,
}

/// Reads the JSON of a `keyring.Item` holding aws-vault's credentials.
pub fn parse_item(json: &[u8]) -> Content {
    let item: KeyringItem = match serde_json::from_slice(json) {
        Ok(item) => item,
        // serde_json's message names a position, never the content.
        Err(e) => return Content::Unreadable(format!("not a keyring item ({e})")),
    };
    let Some(data) = item.data else {
        return Content::Unreadable("the item has no data".into());
    };
    let raw = match base64::engine::general_purpose::STANDARD.decode(data.as_bytes()) {
        Ok(raw) => Zeroizing::new(raw),
        Err(_) => return Content::Unreadable("its data is not base64".into()),
    };
    let creds: GoCredentials = match serde_json::from_slice(&raw) {
        Ok(c) => c,
        Err(e) => return Content::Unreadable(format!("not aws-vault credentials ({e})")),
    };
    if creds.access_key_id.is_empty() || creds.secret_access_key.is_empty() {
        return Content::Unreadable("no access key id or no secret".into());
    }
    if creds.session_token.as_ref().is_some_and(|t| !t.is_empty()) {
        return Content::Temporary {
            masked_key_id: mask_key_id(&creds.access_key_id),
        };
    }
    Content::Keys(Credentials {
        access_key_id: creds.access_key_id,
        secret_access_key: Secret::new(creds.secret_access_key.as_str()),
        session_token: None,
    })
}

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

/// Asks the file backend's passphrase when a key file is to be opened (aws-vault honours
/// `AWS_VAULT_FILE_PASSPHRASE` first; so does the caller's function).
pub type PassphraseFn<'a> = dyn FnMut(&Path) -> Result<Secret, ImportError> + 'a;

/// What to read: the names asked for (empty: every item), and, for `pass` with no prefix
/// (where aws-vault's items sit among every other password), the profile names of the config.
#[derive(Debug)]
pub struct Wanted<'a> {
    pub profiles: &'a [String],
    pub config_profiles: &'a [String],
}

impl Wanted<'_> {
    fn wants(&self, name: &str) -> bool {
        self.profiles.is_empty() || self.profiles.iter().any(|p| p == name)
    }
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

/// Items of one backend: `None` when aws-vault never used it here.
pub(super) type BackendItems = Option<(String, Vec<(String, Content)>)>;

/// Names of a backend's items sorted into what is read (`Keys` wanted) and the rest.
pub(super) fn skip_or_read(name: &str, wanted: &Wanted<'_>) -> Option<Content> {
    match kind_of(name) {
        Kind::Session => Some(Content::Unreadable("aws-vault's cached session, not keys".into())),
        Kind::OidcToken => Some(Content::Unreadable("aws-vault's SSO token, not keys".into())),
        Kind::Keys if wanted.wants(name) => None,
        Kind::Keys => Some(Content::NotAsked),
    }
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
