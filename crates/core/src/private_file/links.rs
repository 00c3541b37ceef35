//! Following symbolic links to the file they finally name, for files Rolebar replaces by a
//! rename (a rename over a link would replace the link itself). Dotfile managers keep
//! `~/.aws/credentials` and settings files as links, often to targets not created yet.

use std::io;
use std::path::{Path, PathBuf};

/// Links followed at most (as Linux's own limit).
const MAX_LINKS: usize = 40;

#[derive(Debug)]
pub(crate) enum FollowError {
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    Loop,
}

/// The path `path` finally names: links followed one by one (a relative target is taken from
/// the link's folder), stopping at the first path that is not a link — which may not exist
/// yet: a dangling link is followed to where its file will be created.
pub(crate) fn follow_symlinks(path: &Path) -> Result<PathBuf, FollowError> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|source| FollowError::Io {
                    action: "follow the link",
                    path: current.clone(),
                    source,
                })?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(FollowError::Io {
                    action: "look at",
                    path: current,
                    source: e,
                })
            }
            _ => return Ok(current),
        }
    }
    Err(FollowError::Loop)
}

impl From<FollowError> for io::Error {
    fn from(e: FollowError) -> io::Error {
        match e {
            FollowError::Io { source, .. } => source,
            FollowError::Loop => io::Error::other("too many levels of symbolic links"),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn chains_relative_targets_and_dangling_links_are_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("sub").join("real.json");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        symlink("sub/real.json", dir.path().join("a")).expect("a");
        symlink(dir.path().join("a"), dir.path().join("b")).expect("b");
        assert_eq!(
            follow_symlinks(&dir.path().join("b")).expect("followed"),
            real,
            "dangling: not there yet"
        );
        std::fs::write(&real, "{}").expect("write");
        assert_eq!(follow_symlinks(&dir.path().join("b")).expect("followed"), real);
        let plain = dir.path().join("plain");
        assert_eq!(follow_symlinks(&plain).expect("missing is itself"), plain);
    }

    #[test]
    fn a_loop_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        symlink(dir.path().join("y"), dir.path().join("x")).expect("x");
        symlink(dir.path().join("x"), dir.path().join("y")).expect("y");
        assert!(matches!(follow_symlinks(&dir.path().join("x")), Err(FollowError::Loop)));
    }
}
