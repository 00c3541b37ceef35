//! What aws-vault's items are, whatever backend holds them: the backends and their settings,
//! the item and credentials formats, which names are keys and which are sessions or tokens, and
//! what a scan asks for. The backends (`file`, `pass`, `secret_service`) read with these;
//! `aws_vault` runs them and imports what they found.

use crate::credentials::Credentials;
use crate::sensitive::{mask_key_id, Secret};
use base64::Engine as _;
use serde::Deserialize;
use std::path::{Path, PathBuf};
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
    pub(super) fn wants(&self, name: &str) -> bool {
        self.profiles.is_empty() || self.profiles.iter().any(|p| p == name)
    }
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

/// aws-vault's key profiles listed by name only (no secret read, nothing unlocked), for an offer
/// to import them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedKeys {
    pub profiles: Vec<String>,
    /// The collection is locked: it may hold more than it lists, and the import will ask to unlock.
    pub locked: bool,
}
