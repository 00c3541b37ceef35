//! The profiles assumed last, newest first, kept across restarts in Rolebar's state folder next
//! to the session index (`recent.json`), so the tray can offer them at the top of a long menu:
//!
//! ```json
//! {"version": 1, "profiles": ["oppara-dev", "corp-prod"]}
//! ```
//!
//! Written through [`private_file`] (atomic, locked, 0600; FIFOs and the like refused). A file
//! Rolebar cannot read is refused and left as it is, never replaced by a fresh list: it may be a
//! newer Rolebar's, or hold something the user wants to look at.

use rolebar_core::keystore::index::Index;
use rolebar_core::private_file::versioned::VersionProblem;
use rolebar_core::private_file::{self, Durability, FileError, KnownFile, Missing};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// How many profiles are kept.
pub const KEEP: usize = 5;
/// The file name, in the index's folder.
pub const FILE_NAME: &str = "recent.json";
const VERSION: u32 = 1;

const ROLE: KnownFile = KnownFile {
    name: "the recent profiles list",
    chosen_by: "ROLEBAR_STATE_DIR or XDG_STATE_HOME (default ~/.local/state/rolebar/recent.json)",
};

#[derive(thiserror::Error, Debug)]
pub enum RecentError {
    #[error(
        "the recent profiles list {} is unreadable ({detail}); Rolebar leaves it alone: delete it \
         to start a new list",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the recent profiles list {} has version {version}, which this Rolebar does not know \
         (a newer Rolebar wrote it?); it is left alone: delete it to start a new list",
        path.display()
    )]
    UnknownVersion { path: PathBuf, version: u32 },
    #[error(transparent)]
    File(#[from] FileError),
}

#[derive(Debug, Serialize, Deserialize)]
struct Data {
    version: u32,
    profiles: Vec<String>,
}

/// The recent profiles file.
#[derive(Debug, Clone)]
pub struct RecentFile {
    path: PathBuf,
}

impl RecentFile {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        RecentFile { path: path.into() }
    }

    /// `recent.json` beside the session index.
    pub fn beside(index: &Index) -> Self {
        let dir = index.path().parent().unwrap_or_else(|| Path::new("."));
        RecentFile::at(dir.join(FILE_NAME))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The recent profiles, newest first; a missing file is none.
    pub fn load(&self) -> Result<Vec<String>, RecentError> {
        match private_file::read(&self.path, ROLE)? {
            Some(bytes) => parse(&self.path, &bytes),
            None => Ok(Vec::new()),
        }
    }

    /// Puts `profile` first (once), keeps the newest [`KEEP`], and returns the list saved.
    pub fn record(&self, profile: &str) -> Result<Vec<String>, RecentError> {
        let (list, _) = private_file::update(&self.path, ROLE, Missing::Create, Durability::Fsync, |bytes| {
            let mut list = match bytes {
                Some(bytes) => parse(&self.path, bytes)?,
                None => Vec::new(),
            };
            if list.first().map(String::as_str) == Some(profile) {
                return Ok::<_, RecentError>((None, list));
            }
            list.retain(|p| p != profile);
            list.insert(0, profile.to_string());
            list.truncate(KEEP);
            let data = Data {
                version: VERSION,
                profiles: list,
            };
            let mut json = serde_json::to_vec_pretty(&data).map_err(|e| RecentError::Corrupt {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
            json.push(b'\n');
            Ok((Some(Zeroizing::new(json)), data.profiles))
        })?;
        Ok(list)
    }
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<String>, RecentError> {
    let corrupt = |detail: String| RecentError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let value = private_file::versioned::versioned_json(bytes, VERSION).map_err(|problem| match problem {
        VersionProblem::Corrupt(detail) => corrupt(detail),
        VersionProblem::Unknown(version) => RecentError::UnknownVersion {
            path: path.to_path_buf(),
            version,
        },
    })?;
    let data: Data = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    Ok(data.profiles.into_iter().filter(|p| !p.is_empty()).take(KEEP).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> (tempfile::TempDir, RecentFile) {
        let dir = tempfile::tempdir().expect("tempdir");
        let recent = RecentFile::beside(&Index::at(dir.path().join("state").join("index.json")));
        (dir, recent)
    }

    #[test]
    fn round_trip_newest_first_five_kept() {
        let (dir, recent) = file();
        assert_eq!(recent.path(), dir.path().join("state").join("recent.json"));
        assert_eq!(recent.load().expect("missing"), Vec::<String>::new());
        for p in ["a", "b", "c", "d", "e", "f"] {
            recent.record(p).expect("record");
        }
        assert_eq!(recent.load().expect("load"), ["f", "e", "d", "c", "b"]);
        assert_eq!(recent.record("d").expect("again"), ["d", "f", "e", "c", "b"]);
        assert_eq!(
            RecentFile::at(recent.path()).load().expect("reload"),
            ["d", "f", "e", "c", "b"]
        );
        let text = std::fs::read_to_string(recent.path()).expect("read");
        assert!(text.contains("\"version\": 1"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(recent.path()).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_or_newer_file_is_refused_not_overwritten() {
        let (_dir, recent) = file();
        std::fs::create_dir_all(recent.path().parent().expect("parent")).expect("mkdir");
        for (text, says) in [
            ("{oops", "unreadable"),
            (r#"{"profiles": ["a"]}"#, "no version"),
            (r#"{"version": 2, "profiles": ["a"]}"#, "version 2"),
            (r#"{"version": 1, "profiles": "a"}"#, "unreadable"),
        ] {
            std::fs::write(recent.path(), text).expect("write");
            let e = recent.record("x").expect_err(text);
            assert!(e.to_string().contains(says), "{e}");
            assert!(e.to_string().contains("delete it"), "{e}");
            assert!(recent.load().is_err());
            assert_eq!(std::fs::read_to_string(recent.path()).expect("read"), text);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused() {
        let (_dir, recent) = file();
        std::fs::create_dir_all(recent.path().parent().expect("parent")).expect("mkdir");
        let status = std::process::Command::new("mkfifo")
            .arg(recent.path())
            .status()
            .expect("mkfifo");
        assert!(status.success());
        assert!(recent.record("x").expect_err("FIFO").to_string().contains("FIFO"));
        assert!(recent.load().expect_err("FIFO").to_string().contains("FIFO"));
    }
}
