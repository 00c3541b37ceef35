//! The non-secret index of what Rolebar keeps in the keyring: keyring stores cannot list their
//! entries, yet `list` and the tray must show stored keys and cached sessions without unlocking
//! every secret. Holds names, masked key ids, kinds and expiry times: nothing usable as a credential.

use crate::error::{Error, Result};
use crate::private_file::{self, Durability, KnownFile, Missing};
use crate::session::SessionKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use zeroize::Zeroizing;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub masked_key_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// When IAM says a stored key was created (ListAccessKeys / CreateAccessKey), for the key age
/// shown in `list` and the rotation reminders. Filed by profile, and valid only while the
/// profile's key still has this masked id: a key stored again since (`rolebar add`) is another
/// key, whose age is then only known from its `added_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCreated {
    pub masked_key_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub profile: String,
    pub kind: SessionKind,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub mfa_serial: Option<String>,
    pub role_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexData {
    #[serde(default)]
    pub keys: BTreeMap<String, KeyRecord>,
    /// By keyring entry name.
    #[serde(default)]
    pub sessions: BTreeMap<String, SessionRecord>,
    /// By profile: the creation dates IAM gave for stored keys (absent in older indexes).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub key_created: BTreeMap<String, KeyCreated>,
}

/// The index file, `$XDG_STATE_HOME/rolebar/index.json` by default (or `ROLEBAR_STATE_DIR`).
#[derive(Debug, Clone)]
pub struct Index {
    path: PathBuf,
}

impl Index {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Index { path: path.into() }
    }

    pub fn default_location() -> Result<Self> {
        let dir = match std::env::var_os("ROLEBAR_STATE_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => dirs::state_dir()
                .or_else(dirs::data_local_dir)
                .ok_or(Error::NoHomeDirectory)?
                .join("rolebar"),
        };
        Ok(Index::at(dir.join("index.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the index. A missing or unreadable index is empty: it only mirrors the keyring, and
    /// losing it loses no secret (entries can be added again).
    pub fn read(&self) -> IndexData {
        match private_file::read(&self.path, KnownFile::INDEX) {
            Ok(Some(bytes)) => parse(&self.path, &bytes),
            Ok(None) => IndexData::default(),
            Err(e) => {
                tracing::warn!(error = %e, "session index unreadable; starting empty");
                IndexData::default()
            }
        }
    }

    /// Read-modify-write under the lock of [`private_file::update`], so the tray and the command
    /// line can both update it.
    pub fn update<T>(&self, change: impl FnOnce(&mut IndexData) -> T) -> Result<T> {
        let (out, _) = private_file::update(
            &self.path,
            KnownFile::INDEX,
            Missing::Create,
            Durability::Fsync,
            |bytes| {
                let mut data = bytes.map(|b| parse(&self.path, b)).unwrap_or_default();
                let out = change(&mut data);
                let json = serde_json::to_vec_pretty(&data).map_err(|e| Error::IndexWrite {
                    path: self.path.clone(),
                    source: std::io::Error::other(e),
                })?;
                Ok::<_, Error>((Some(Zeroizing::new(json)), out))
            },
        )?;
        Ok(out)
    }
}

fn parse(path: &Path, bytes: &[u8]) -> IndexData {
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        tracing::warn!(path = %path.display(), error = %e, "session index unreadable; starting empty");
        IndexData::default()
    })
}
