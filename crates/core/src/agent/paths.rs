//! Where the agent's socket lives, and the private folder around it.
//!
//! The socket's folder is the first fence (0700, ours): nobody else can even reach the socket,
//! nor replace it with one of their own. The socket's own mode (0600) is the second, and the
//! peer's uid, checked on every connection (`server`), the last.

use super::error::AgentError;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Overrides the socket's path (tests, or two Rolebars side by side).
pub const SOCKET_ENV: &str = "ROLEBAR_AGENT_SOCKET";

/// The socket's file name inside Rolebar's runtime folder.
const SOCKET_NAME: &str = "agent.sock";

/// The socket the tray app listens on and the CLI asks: `$ROLEBAR_AGENT_SOCKET` if set, else
/// `$XDG_RUNTIME_DIR/rolebar/agent.sock`, else `/tmp/rolebar-<uid>/agent.sock` (macOS: under
/// `$TMPDIR`, which is already per user there).
pub fn socket_path() -> Result<PathBuf, AgentError> {
    default_socket_path(|name| std::env::var_os(name), effective_uid)
}

#[cfg(unix)]
fn default_socket_path(
    var: impl Fn(&str) -> Option<OsString>,
    uid: impl FnOnce() -> std::io::Result<u32>,
) -> Result<PathBuf, AgentError> {
    // Relative paths are ignored as the XDG spec says: they would depend on the working folder.
    let absolute = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(path) = var(SOCKET_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let runtime = if cfg!(target_os = "macos") {
        absolute("TMPDIR")
    } else {
        absolute("XDG_RUNTIME_DIR")
    };
    if let Some(dir) = runtime {
        return Ok(dir.join("rolebar").join(SOCKET_NAME));
    }
    let uid = uid().map_err(|source| AgentError::Io {
        action: "find the user id for",
        path: PathBuf::from("/tmp"),
        source,
    })?;
    Ok(fallback_dir(uid).join(SOCKET_NAME))
}

/// The socket's folder when there is no runtime folder: shared `/tmp`, where any user can make
/// it first (then [`AgentError::DirTaken`]).
fn fallback_dir(uid: u32) -> PathBuf {
    PathBuf::from(format!("/tmp/rolebar-{uid}"))
}

/// Untested here: a per-user named pipe is the plan (docs/agent-protocol.md).
#[cfg(not(unix))]
fn default_socket_path(
    _var: impl Fn(&str) -> Option<OsString>,
    _uid: impl FnOnce() -> std::io::Result<u32>,
) -> Result<PathBuf, AgentError> {
    Err(AgentError::Unsupported {
        what: "the agent on Windows",
    })
}

/// The effective uid of this process (what SO_PEERCRED reports for us), without `unsafe`:
/// from `/proc/self/status` on Linux, else the owner of a new temporary file (files are created
/// with the effective uid).
#[cfg(unix)]
pub(crate) fn effective_uid() -> std::io::Result<u32> {
    use std::os::unix::fs::MetadataExt;
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        // "Uid:\treal\teffective\tsaved\tfilesystem"
        let euid = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|id| id.parse().ok());
        if let Some(euid) = euid {
            return Ok(euid);
        }
    }
    Ok(tempfile::tempfile()?.metadata()?.uid())
}

#[cfg(not(unix))]
pub(crate) fn effective_uid() -> std::io::Result<u32> {
    Err(std::io::Error::other("no user ids on this platform"))
}

/// Makes sure `dir` is a folder only we can enter: creates it (and missing parents) 0700, or
/// checks that an existing one is a real folder (not a link), ours, and closed to group and
/// others. Nothing is changed in a folder that fails: the error says what to do.
#[cfg(unix)]
pub fn ensure_private_dir(dir: &Path) -> Result<(), AgentError> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let io = |action| {
        move |source| AgentError::Io {
            action,
            path: dir.to_path_buf(),
            source,
        }
    };
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(io("create the folder"))?;
        }
        Err(e) => return Err(io("look at the folder")(e)),
        Ok(_) => {}
    }
    // Checked after creating too: a folder made by someone else in between is caught here.
    let meta = std::fs::symlink_metadata(dir).map_err(io("look at the folder"))?;
    let ours = effective_uid().map_err(io("find the user id for"))?;
    // Whatever it is (folder, link, file), another user's is theirs to remove, not ours.
    if meta.uid() != ours {
        return Err(taken(dir, meta.uid(), ours));
    }
    let unsafe_dir = |reason: String, fix: String| AgentError::SocketUnsafe {
        path: dir.to_path_buf(),
        reason,
        fix,
    };
    let elsewhere = format!("or set {SOCKET_ENV} to a path in a private folder of yours");
    if meta.file_type().is_symlink() {
        return Err(unsafe_dir(
            "is a symbolic link, not the folder Rolebar makes for its socket".into(),
            format!("Remove the link (Rolebar creates the folder itself), {elsewhere}"),
        ));
    }
    if !meta.is_dir() {
        return Err(unsafe_dir(
            "is not a folder".into(),
            format!("Move that file away, {elsewhere}"),
        ));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(unsafe_dir(
            format!("is open to other users (mode {mode:04o})"),
            format!("Close it with `chmod 700 {}`, {elsewhere}", dir.display()),
        ));
    }
    Ok(())
}

/// The socket's folder `dir`, if it exists, must be ours: what a client checks before it
/// connects (a socket in another user's folder is theirs, whoever answers on it). A missing
/// folder is fine (no agent runs).
#[cfg(unix)]
pub fn check_dir_owner(dir: &Path) -> Result<(), AgentError> {
    use std::os::unix::fs::MetadataExt;
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(AgentError::Io {
                action: "look at the folder",
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    let ours = effective_uid().map_err(|source| AgentError::Io {
        action: "find the user id for",
        path: dir.to_path_buf(),
        source,
    })?;
    if meta.uid() != ours {
        return Err(taken(dir, meta.uid(), ours));
    }
    Ok(())
}

#[cfg(unix)]
fn taken(dir: &Path, owner: u32, ours: u32) -> AgentError {
    let fix = if dir == fallback_dir(ours) {
        // Only its owner or root can remove it from /tmp (the sticky bit), not the user.
        format!(
            "Another user made it first (XDG_RUNTIME_DIR is not set, so Rolebar uses /tmp). Set \
             XDG_RUNTIME_DIR (a login session sets it to /run/user/{ours}) or {SOCKET_ENV} to a path \
             in a private folder of yours, or have an administrator remove {}; then restart Rolebar",
            dir.display()
        )
    } else {
        format!(
            "Another user made it: have it removed (by its owner or an administrator), or set \
             {SOCKET_ENV} to a path in a private folder of yours; then restart Rolebar"
        )
    };
    AgentError::DirTaken {
        path: dir.to_path_buf(),
        owner,
        ours,
        fix,
    }
}

#[cfg(not(unix))]
pub fn check_dir_owner(_dir: &Path) -> Result<(), AgentError> {
    Ok(())
}

#[cfg(not(unix))]
pub fn ensure_private_dir(_dir: &Path) -> Result<(), AgentError> {
    Err(AgentError::Unsupported {
        what: "the agent on Windows",
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;

    fn path_with(vars: &[(&str, &str)]) -> PathBuf {
        let vars: HashMap<String, OsString> = vars.iter().map(|(k, v)| (k.to_string(), (*v).into())).collect();
        default_socket_path(|name| vars.get(name).cloned(), || Ok(1000)).expect("a path")
    }

    #[test]
    fn the_override_wins_then_the_runtime_folder_then_tmp() {
        let runtime = if cfg!(target_os = "macos") {
            "TMPDIR"
        } else {
            "XDG_RUNTIME_DIR"
        };
        assert_eq!(
            path_with(&[(SOCKET_ENV, "/x/a.sock"), (runtime, "/run/user/1000")]),
            Path::new("/x/a.sock")
        );
        assert_eq!(
            path_with(&[(SOCKET_ENV, ""), (runtime, "/run/user/1000")]),
            Path::new("/run/user/1000/rolebar/agent.sock")
        );
        assert_eq!(
            path_with(&[(runtime, "relative/dir")]),
            Path::new("/tmp/rolebar-1000/agent.sock")
        );
        assert_eq!(path_with(&[]), Path::new("/tmp/rolebar-1000/agent.sock"));
    }

    #[test]
    fn our_uid_owns_the_files_we_create() {
        use std::os::unix::fs::MetadataExt;
        let file = tempfile::tempfile().expect("temp file");
        assert_eq!(effective_uid().expect("uid"), file.metadata().expect("meta").uid());
    }

    #[test]
    fn a_missing_folder_is_made_private_and_an_open_one_refused() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("a").join("rolebar");
        ensure_private_dir(&dir).expect("created");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        ensure_private_dir(&dir).expect("ours and private: fine again");

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let err = ensure_private_dir(&dir).expect_err("open to others");
        assert_eq!(err.code(), "agent_socket_unsafe");
        let shown = err.to_string();
        assert!(shown.contains("mode 0755") && shown.contains("chmod 700"), "{shown}");
        assert_eq!(mode(&dir), 0o755, "nothing changed behind the user's back");
    }

    /// Issue 19, item 7d: another user made the folder first (as they can in /tmp). The error
    /// is typed, says the agent is off and what to do; nothing of theirs is touched.
    #[test]
    fn a_folder_or_link_of_another_user_is_taken_and_said_so() {
        if effective_uid().expect("uid") != 0 {
            eprintln!("skipped: needs root to give a folder to another user");
            return;
        }
        let base = tempfile::tempdir().expect("tempdir");
        let theirs = base.path().join("rolebar");
        std::fs::create_dir(&theirs).expect("mkdir");
        std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).expect("chown");
        let err = ensure_private_dir(&theirs).expect_err("not ours");
        assert_eq!(err.code(), "agent_dir_taken");
        assert!(
            matches!(
                err,
                AgentError::DirTaken {
                    owner: 65534,
                    ours: 0,
                    ..
                }
            ),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("belongs to uid 65534, not to you (uid 0): the Rolebar agent is off"),
            "{shown}"
        );
        assert!(shown.contains(SOCKET_ENV), "{shown}");
        let err = check_dir_owner(&theirs).expect_err("a client will not connect there either");
        assert_eq!(err.code(), "agent_dir_taken");
        check_dir_owner(&base.path().join("missing")).expect("no folder: no agent, no problem");

        // Their link (to a folder of ours, even) is theirs too: a link we made is refused as before.
        let link = base.path().join("link");
        let mine = base.path().join("mine");
        std::fs::create_dir(&mine).expect("mkdir");
        std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        std::os::unix::fs::symlink(&mine, &link).expect("symlink");
        std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).expect("lchown");
        assert_eq!(ensure_private_dir(&link).expect_err("theirs").code(), "agent_dir_taken");
        let meta = std::fs::symlink_metadata(&theirs).expect("still there");
        use std::os::unix::fs::MetadataExt;
        assert_eq!(meta.uid(), 65534, "nothing of theirs changed");
    }

    #[test]
    fn the_tmp_fallback_says_to_set_the_runtime_folder() {
        let shown = taken(Path::new("/tmp/rolebar-1000"), 1001, 1000).to_string();
        assert!(
            shown
                .starts_with("/tmp/rolebar-1000 belongs to uid 1001, not to you (uid 1000): the Rolebar agent is off."),
            "{shown}"
        );
        assert!(
            shown.contains("Set XDG_RUNTIME_DIR (a login session sets it to /run/user/1000)")
                && shown.contains("have an administrator remove /tmp/rolebar-1000"),
            "{shown}"
        );
        let elsewhere = taken(Path::new("/run/user/1000/rolebar"), 0, 1000).to_string();
        assert!(!elsewhere.contains("XDG_RUNTIME_DIR"), "{elsewhere}");
        assert!(elsewhere.contains(SOCKET_ENV), "{elsewhere}");
    }

    #[test]
    fn links_and_files_are_not_folders() {
        let base = tempfile::tempdir().expect("tempdir");
        let real = base.path().join("real");
        std::fs::create_dir(&real).expect("mkdir");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let shown = ensure_private_dir(&link).expect_err("a link").to_string();
        assert!(shown.contains("symbolic link"), "{shown}");
        let file = base.path().join("file");
        std::fs::write(&file, "mine").expect("write");
        let shown = ensure_private_dir(&file).expect_err("a file").to_string();
        assert!(shown.contains("is not a folder"), "{shown}");
        assert_eq!(std::fs::read_to_string(&file).expect("kept"), "mine");
    }
}
