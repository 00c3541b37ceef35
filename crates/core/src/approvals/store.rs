//! `approvals.json`, beside the session index: per profile, the window's choice of policy (which
//! wins over `rolebar_approve` in `~/.aws/config`) and the programs remembered with "Always for
//! this program":
//!
//! ```json
//! {"version": 1, "profiles": {"corp-prod": {"approve": "new-programs", "programs": [
//!   {"exe": "/usr/bin/python3.11", "script": "/usr/bin/aws", "since": "2026-12-05T10:00:00Z"}]}}}
//! ```
//!
//! Written through [`private_file`] (0600, atomic, under its lock, read again under the lock so
//! the tray and a `rolebar` command never lose each other's changes). A file Rolebar cannot read
//! is an error, never replaced: then no profile that asks first is served from it.

use super::error::ApprovalError;
use super::policy::Policy;
use super::program::ProgramId;
use crate::keystore::index::Index;
use crate::private_file::versioned::VersionProblem;
use crate::private_file::{self, Durability, KnownFile, Missing};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use zeroize::Zeroizing;

pub const FILE_NAME: &str = "approvals.json";
const VERSION: u32 = 1;

const ROLE: KnownFile = KnownFile {
    name: "the approvals file",
    chosen_by: "ROLEBAR_STATE_DIR or XDG_STATE_HOME (default ~/.local/state/rolebar/approvals.json)",
};

/// A program remembered with "Always for this program".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedProgram {
    #[serde(flatten)]
    pub program: ProgramId,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// One profile's entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileApprovals {
    /// The window's choice; `None`: the config file's (or the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approve: Option<Policy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<RememberedProgram>,
}

impl ProfileApprovals {
    pub fn remembers(&self, program: &ProgramId) -> bool {
        self.programs.iter().any(|p| &p.program == program)
    }

    fn is_empty(&self) -> bool {
        self.approve.is_none() && self.programs.is_empty()
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Data {
    version: u32,
    #[serde(default)]
    profiles: BTreeMap<String, ProfileApprovals>,
}

/// The approvals file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalsFile {
    path: PathBuf,
}

impl ApprovalsFile {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        ApprovalsFile { path: path.into() }
    }

    /// `approvals.json` beside the session index.
    pub fn beside(index: &Index) -> Self {
        let dir = index.path().parent().unwrap_or_else(|| Path::new("."));
        ApprovalsFile::at(dir.join(FILE_NAME))
    }

    /// Beside the session index at its default place (what the tray and the CLI both use).
    pub fn default_location() -> crate::Result<Self> {
        Ok(ApprovalsFile::beside(&Index::default_location()?))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every profile's entry; a missing file is none.
    pub fn load(&self) -> Result<BTreeMap<String, ProfileApprovals>, ApprovalError> {
        match private_file::read(&self.path, ROLE)? {
            Some(bytes) => Ok(parse(&self.path, &bytes)?.profiles),
            None => Ok(BTreeMap::new()),
        }
    }

    /// One profile's entry (empty when it has none).
    pub fn profile(&self, profile: &str) -> Result<ProfileApprovals, ApprovalError> {
        Ok(self.load()?.remove(profile).unwrap_or_default())
    }

    /// Sets the window's policy for `profile` (`None`: back to the config file's).
    pub fn set_policy(&self, profile: &str, policy: Option<Policy>) -> Result<(), ApprovalError> {
        self.change(profile, |entry| {
            let changed = entry.approve != policy;
            entry.approve = policy;
            changed
        })
    }

    /// Remembers `program` for `profile` ("Always for this program").
    pub fn remember(&self, profile: &str, program: &ProgramId, now: OffsetDateTime) -> Result<(), ApprovalError> {
        self.change(profile, |entry| {
            if entry.remembers(program) {
                return false;
            }
            entry.programs.push(RememberedProgram {
                program: program.clone(),
                since: now,
            });
            true
        })
    }

    /// Forgets `program` for `profile`; `false` when it was not remembered.
    pub fn revoke(&self, profile: &str, program: &ProgramId) -> Result<bool, ApprovalError> {
        let mut found = false;
        self.change(profile, |entry| {
            let before = entry.programs.len();
            entry.programs.retain(|p| &p.program != program);
            found = entry.programs.len() != before;
            found
        })?;
        Ok(found)
    }

    fn change(&self, profile: &str, edit: impl FnOnce(&mut ProfileApprovals) -> bool) -> Result<(), ApprovalError> {
        private_file::update(&self.path, ROLE, Missing::Create, Durability::Fsync, |bytes| {
            let mut data = match bytes {
                Some(bytes) => parse(&self.path, bytes)?,
                None => Data {
                    version: VERSION,
                    profiles: BTreeMap::new(),
                },
            };
            let entry = data.profiles.entry(profile.to_string()).or_default();
            if !edit(entry) {
                return Ok::<_, ApprovalError>((None, ()));
            }
            if entry.is_empty() {
                data.profiles.remove(profile);
            }
            let mut json = serde_json::to_vec_pretty(&data).map_err(|e| ApprovalError::Corrupt {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
            json.push(b'\n');
            Ok((Some(Zeroizing::new(json)), ()))
        })?;
        Ok(())
    }
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Data, ApprovalError> {
    let corrupt = |detail: String| ApprovalError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let value = private_file::versioned::versioned_json(bytes, VERSION).map_err(|problem| match problem {
        VersionProblem::Corrupt(detail) => corrupt(detail),
        VersionProblem::Unknown(version) => ApprovalError::UnknownVersion {
            path: path.to_path_buf(),
            version,
        },
    })?;
    serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))
}
