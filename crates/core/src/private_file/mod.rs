//! The files Rolebar writes (the credentials file, settings, the session index, the expiry
//! state): how they are read and replaced, with every rule of "write a private file safely" in
//! one place.
//!
//! Reading ([`read`]) never blocks and never reads anything but a regular file: a FIFO would
//! hang the read, a device could be endless. `/dev/null` reads as empty, as the AWS CLI reads it
//! (`AWS_SHARED_CREDENTIALS_FILE=/dev/null` is a common way to say "no credentials file").
//! Nor does it read more than the file's limit ([`KnownFile::max_bytes`]): 1 MiB for the JSON
//! files (settings, state, the SSO token cache), 16 MiB for the AWS config and credentials files;
//! a larger file is [`FileError::TooLarge`], found from its size and held to it while reading
//! (a file can grow between the two).
//!
//! Replacing ([`update`]) is read-modify-write under a lock, then an atomic rename:
//!
//! 1. symbolic links are followed to the real file (dotfile managers keep these files as links;
//!    a rename over a link would replace the link), a dangling link to where its file will be;
//! 2. the target must be a regular file or missing: a device, FIFO, socket or folder is refused,
//!    never replaced (a rename over `/dev/null` would replace the system's device node);
//! 3. an advisory lock is taken on a sidecar file next to the target (`.NAME.rolebar.lock`),
//!    never on the target itself: the target is replaced by a rename, so a lock held on it would
//!    stay on the old, unlinked file while the next writer locks the new one. The sidecar is never
//!    deleted (deleting a lock file lets two writers each lock a different one);
//! 4. under the lock, temporary files of Rolebar's own naming (`.NAME.rolebar-*.tmp`) left by a
//!    writer that was killed are removed: they may hold a whole session, and every writer that
//!    makes one holds the lock until it is renamed or deleted, so any seen under the lock is stale;
//! 5. a file the user made read-only, or one with several hard links (the rename would split it
//!    from its other names), is refused with an explanation: both are choices Rolebar must not undo;
//! 6. the new text goes to a temporary file in the same folder (created 0600 with O_EXCL), flushed
//!    to disk ([`Durability::Fsync`]), renamed over the target, and the folder is flushed so the
//!    rename survives a crash: a reader sees the old file or the new one, never half of one;
//! 7. permissions: a new file is 0600 and a missing folder is created 0700; an existing file keeps
//!    its mode when that grants nothing beyond 0600, and is tightened to 0600 otherwise (reported
//!    in [`Written::mode_tightened_from`]), since it may now hold secrets.

mod links;
pub mod versioned;

use crate::error_code::{ErrorCode, HasCode};
use links::{follow_symlinks, FollowError};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// Which file this is, for messages: its name and how the user picks its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownFile {
    /// "the credentials file"
    pub name: &'static str,
    /// What sets the path, so the message can say what to change.
    pub chosen_by: &'static str,
}

impl KnownFile {
    pub const CREDENTIALS: KnownFile = KnownFile {
        name: "the credentials file",
        chosen_by: "AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials)",
    };
    pub const CONFIG: KnownFile = KnownFile {
        name: "the AWS config file",
        chosen_by: "AWS_CONFIG_FILE (default ~/.aws/config)",
    };
    pub const SETTINGS: KnownFile = KnownFile {
        name: "the settings file",
        chosen_by: "XDG_CONFIG_HOME (default ~/.config/rolebar/settings.json)",
    };
    pub const INDEX: KnownFile = KnownFile {
        name: "the session index",
        chosen_by: "ROLEBAR_STATE_DIR or XDG_STATE_HOME (default ~/.local/state/rolebar/index.json)",
    };
    pub const SSO_TOKEN_CACHE: KnownFile = KnownFile {
        name: "the SSO token cache file",
        chosen_by: "HOME (the AWS CLI's ~/.aws/sso/cache/, shared with it)",
    };
    pub const EXPIRY_STATE: KnownFile = KnownFile {
        name: "the expiry warning state",
        chosen_by: "ROLEBAR_STATE_DIR or XDG_STATE_HOME (default ~/.local/state/rolebar/)",
    };
}

/// The most Rolebar reads of a JSON file (its settings and state, the SSO token cache): a few KiB
/// in use; a file beyond this was not written by Rolebar or the AWS CLI, and reading it whole
/// would cost memory for nothing (a token from it would be sent, too).
pub const MAX_JSON_BYTES: u64 = 1024 * 1024;

/// The most Rolebar reads of the AWS config or credentials file: generous, as these legitimately
/// hold hundreds of profiles (a thousand profiles are about 200 KiB).
pub const MAX_INI_BYTES: u64 = 16 * 1024 * 1024;

impl KnownFile {
    /// The size beyond which this file is [`FileError::TooLarge`]: [`MAX_INI_BYTES`] for the AWS
    /// config and credentials files, [`MAX_JSON_BYTES`] for every other (all JSON).
    pub fn max_bytes(&self) -> u64 {
        if *self == KnownFile::CONFIG || *self == KnownFile::CREDENTIALS {
            MAX_INI_BYTES
        } else {
            MAX_JSON_BYTES
        }
    }
}

/// A byte count as people read it: `1 MiB`, `16 MiB`, `1536 bytes`.
fn show_bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// What a path is when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Directory,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    /// Anything else that is not a regular file.
    Other,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a FIFO (named pipe)",
            FileKind::Socket => "a socket",
            FileKind::CharacterDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Other => "not a regular file",
        })
    }
}

#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum FileError {
    #[error(
        "{} {} is {kind}, not a regular file: Rolebar will not {action} it. Set {} to a regular \
         file (or unset it)",
        role.name, path.display(), role.chosen_by
    )]
    NotRegular {
        role: KnownFile,
        path: PathBuf,
        kind: FileKind,
        action: &'static str,
    },

    #[error(
        "{} {} is read-only (mode {mode:04o}): Rolebar will not rewrite a file you made read-only. \
         Make it writable (`chmod u+w {}`) or set {} to another file",
        role.name, path.display(), path.display(), role.chosen_by
    )]
    ReadOnly { role: KnownFile, path: PathBuf, mode: u32 },

    #[error(
        "{} {} has {links} hard links: Rolebar replaces the file by a rename, which would split \
         it from its other names (they would keep the old text). Replace the hard links with one \
         file (a symbolic link is fine) or set {} to the file Rolebar should write",
        role.name, path.display(), role.chosen_by
    )]
    HardLinked { role: KnownFile, path: PathBuf, links: u64 },

    #[error(
        "{} {} leads through a loop of symbolic links (or more than 40 of them); point it at a \
         regular file",
        role.name, path.display()
    )]
    SymlinkLoop { role: KnownFile, path: PathBuf },

    #[error(
        "{} {} is larger than Rolebar reads ({}{}); Rolebar and the AWS CLI write such files far \
         smaller. Look at what fills it, or set {} to another file",
        role.name, path.display(), show_bytes(*limit),
        size.map(|s| format!(", it has {s} bytes")).unwrap_or_default(), role.chosen_by
    )]
    TooLarge {
        role: KnownFile,
        path: PathBuf,
        /// The limit ([`KnownFile::max_bytes`]).
        limit: u64,
        /// Its size when known (from its metadata; `None` when it grew while being read).
        size: Option<u64>,
    },

    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl HasCode for FileError {
    fn error_code(&self) -> ErrorCode {
        match self {
            FileError::NotRegular { .. } => ErrorCode::NotARegularFile,
            FileError::ReadOnly { .. } => ErrorCode::FileReadOnly,
            FileError::HardLinked { .. } => ErrorCode::FileHardLinked,
            FileError::SymlinkLoop { .. } => ErrorCode::SymlinkLoop,
            FileError::TooLarge { .. } => ErrorCode::FileTooLarge,
            FileError::Io { .. } => ErrorCode::FileIo,
        }
    }
}

/// `map_err` for an I/O step: what was being done, and to which path.
fn io_error(action: &'static str, at: &Path) -> impl FnOnce(io::Error) -> FileError {
    let path = at.to_path_buf();
    move |source| FileError::Io { action, path, source }
}

/// Whether a write waits for the data to reach the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// fsync the new file before the rename and the folder after it. Always, outside benchmarks.
    #[default]
    Fsync,
    /// Skip both fsyncs (benchmarks): a crash may then lose the write, though a reader still
    /// never sees half a file.
    NoFsync,
}

/// What [`update`] does with a missing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Create it (and its folder).
    Create,
    /// Hand the change `None` and never create the file, whatever it returns (removals).
    Leave,
}

/// What [`update`] did to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file: the given path with symbolic links followed.
    pub path: PathBuf,
    /// The file did not exist and was created.
    pub created: bool,
    /// The file was replaced (the change returned new text).
    pub changed: bool,
    /// The file's previous mode when it granted more than 0600 and was tightened (Unix).
    pub mode_tightened_from: Option<u32>,
}

/// The bytes of the file at `path` (symbolic links followed), `None` when it does not exist.
/// Never blocks (a FIFO is refused, not read); `/dev/null` reads as empty; any other
/// non-regular file is [`FileError::NotRegular`]; one over `role`'s [`KnownFile::max_bytes`] is
/// [`FileError::TooLarge`], without reading more than the limit. The buffer is wiped when dropped.
pub fn read(path: &Path, role: KnownFile) -> Result<Option<Zeroizing<Vec<u8>>>, FileError> {
    let contents = Contents::Read {
        limit: role.max_bytes(),
    };
    Ok(open_regular(path, role, "read", contents)?.map(|(bytes, _)| bytes))
}

/// [`read`] as UTF-8 text; `None` for a file that is not UTF-8 (the bytes are wiped).
pub fn read_text(path: &Path, role: KnownFile) -> Result<Option<Result<Zeroizing<String>, NotUtf8>>, FileError> {
    Ok(read(path, role)?.map(into_text))
}

/// A file's bytes were not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8;

fn into_text(mut bytes: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>, NotUtf8> {
    let owned = std::mem::take(&mut *bytes);
    match String::from_utf8(owned) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            e.into_bytes().zeroize();
            Err(NotUtf8)
        }
    }
}

/// The file `path` finally names (see [`follow_symlinks`]).
fn resolve(path: &Path, role: KnownFile) -> Result<PathBuf, FileError> {
    follow_symlinks(path).map_err(|e| match e {
        FollowError::Io { action, path, source } => FileError::Io { action, path, source },
        FollowError::Loop => FileError::SymlinkLoop {
            role,
            path: path.to_path_buf(),
        },
    })
}

/// Facts about an existing file read under the lock.
#[derive(Debug)]
struct Existing {
    mode: Option<u32>,
    links: u64,
}

/// A file's bytes (wiped when dropped) and facts.
type Found = (Zeroizing<Vec<u8>>, Existing);

/// Whether [`open_regular`] reads the file's bytes or only looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contents {
    /// At most `limit` bytes: a longer file is [`FileError::TooLarge`].
    Read { limit: u64 },
    /// The caller replaces the file whatever it holds: no bytes (so no size limit either).
    Skip,
}

/// Opens without blocking, checks the kind on the open handle (so nothing swaps the file in
/// between), and reads it all, up to `role`'s limit.
fn open_regular(
    path: &Path,
    role: KnownFile,
    action: &'static str,
    contents: Contents,
) -> Result<Option<Found>, FileError> {
    // Looked at before opening: opening a socket fails with an unhelpful ENXIO, and opening a
    // FIFO for reading without O_NONBLOCK waits for a writer.
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("look at", path)(e)),
    };
    if is_dev_null(&meta) {
        let facts = Existing { mode: None, links: 1 };
        return Ok(Some((Zeroizing::new(Vec::new()), facts)));
    }
    check_regular(&meta, path, role, action)?;
    let mut file = match open_nonblocking(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(action, path)(e)),
    };
    let meta = file.metadata().map_err(io_error("look at", path))?;
    check_regular(&meta, path, role, action)?;
    let limit = match contents {
        Contents::Skip => return Ok(Some((Zeroizing::new(Vec::new()), existing_facts(&meta)))),
        Contents::Read { limit } => limit,
    };
    let too_large = |size| FileError::TooLarge {
        role,
        path: path.to_path_buf(),
        limit,
        size,
    };
    if meta.len() > limit {
        return Err(too_large(Some(meta.len())));
    }
    match read_bounded(&mut file, meta.len(), limit).map_err(io_error(action, path))? {
        Some(bytes) => Ok(Some((bytes, existing_facts(&meta)))),
        None => Err(too_large(None)),
    }
}

/// All of `reader` when it holds at most `limit` bytes, `None` when it holds more: it is read
/// one byte past the limit, to know, and no further (a file can grow after its size was looked
/// at). `size` (at most `limit`) sizes the buffer.
fn read_bounded(reader: &mut impl Read, size: u64, limit: u64) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(size.min(limit).try_into().unwrap_or(0)));
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

fn check_regular(meta: &fs::Metadata, path: &Path, role: KnownFile, action: &'static str) -> Result<(), FileError> {
    match kind_of(meta) {
        None => Ok(()),
        Some(kind) => Err(FileError::NotRegular {
            role,
            path: path.to_path_buf(),
            kind,
            action,
        }),
    }
}

/// `None` for a regular file.
fn kind_of(meta: &fs::Metadata) -> Option<FileKind> {
    let file_type = meta.file_type();
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some(FileKind::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some(FileKind::Fifo);
        }
        if file_type.is_socket() {
            return Some(FileKind::Socket);
        }
        if file_type.is_char_device() {
            return Some(FileKind::CharacterDevice);
        }
        if file_type.is_block_device() {
            return Some(FileKind::BlockDevice);
        }
    }
    Some(FileKind::Other)
}

/// The null device, wherever its node lives (`/dev/null`, or a copy made with mknod).
#[cfg(unix)]
fn is_dev_null(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    meta.file_type().is_char_device()
        && fs::metadata("/dev/null").is_ok_and(|null| null.file_type().is_char_device() && null.rdev() == meta.rdev())
}

#[cfg(not(unix))]
fn is_dev_null(_: &fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn existing_facts(meta: &fs::Metadata) -> Existing {
    use std::os::unix::fs::MetadataExt;
    Existing {
        mode: Some(meta.mode() & 0o7777),
        links: meta.nlink(),
    }
}

#[cfg(not(unix))]
fn existing_facts(_: &fs::Metadata) -> Existing {
    Existing { mode: None, links: 1 }
}

/// Read-modify-write of the file at `path` by the rules of this module (see the module doc).
///
/// `change` gets the current bytes (`None` when the file is missing) and returns the new bytes
/// (`None`: leave the file as it is) and a value handed back. Its error type only needs to
/// hold a [`FileError`]. The file is read again under the lock, so a change never starts from a
/// stale copy.
pub fn update<T, E: From<FileError>>(
    path: &Path,
    role: KnownFile,
    missing: Missing,
    durability: Durability,
    change: impl FnOnce(Option<&[u8]>) -> Result<(Option<Zeroizing<Vec<u8>>>, T), E>,
) -> Result<(T, Written), E> {
    let contents = Contents::Read {
        limit: role.max_bytes(),
    };
    update_with(path, role, missing, durability, contents, change)
}

/// [`update`]; with [`Contents::Skip`], `change` gets empty bytes for an existing file.
fn update_with<T, E: From<FileError>>(
    path: &Path,
    role: KnownFile,
    missing: Missing,
    durability: Durability,
    contents: Contents,
    change: impl FnOnce(Option<&[u8]>) -> Result<(Option<Zeroizing<Vec<u8>>>, T), E>,
) -> Result<(T, Written), E> {
    let target = resolve(path, role)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file_name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(FileError::NotRegular {
            role,
            path: target,
            kind: FileKind::Directory,
            action: "write",
        }
        .into());
    };
    let mut written = Written {
        path: target,
        created: false,
        changed: false,
        mode_tightened_from: None,
    };
    // Refused before anything is created or locked: the message is the same under the lock.
    match fs::metadata(&written.path) {
        // Nothing to take out of an empty file: a removal is fine, a write is refused below.
        Ok(meta) if is_dev_null(&meta) && missing == Missing::Leave => {
            let (_, value) = change(None)?;
            return Ok((value, written));
        }
        Ok(meta) => check_regular(&meta, &written.path, role, "write")?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if missing == Missing::Leave {
                let (_, value) = change(None)?;
                return Ok((value, written));
            }
        }
        Err(e) => {
            let error: FileError = io_error("look at", &written.path)(e);
            return Err(error.into());
        }
    }
    if !dir.exists() {
        create_private_dir(&dir).map_err(io_error("create the folder", &dir))?;
    }
    let lock_path = dir.join(format!(".{file_name}.rolebar.lock"));
    let _lock = lock_sidecar(&lock_path).map_err(io_error("lock", &lock_path))?;
    remove_stale_temp_files(&dir, &file_name);

    let current = open_regular(&written.path, role, "write", contents)?;
    if current.is_none() && missing == Missing::Leave {
        let (_, value) = change(None)?;
        return Ok((value, written));
    }
    let (new_bytes, value) = change(current.as_ref().map(|(bytes, _)| bytes.as_slice()))?;
    let Some(new_bytes) = new_bytes else {
        return Ok((value, written));
    };
    let mode = match &current {
        Some((_, existing)) => {
            check_replaceable(existing, &written.path, role)?;
            let (mode, tightened_from) = file_mode(existing.mode);
            written.mode_tightened_from = tightened_from;
            mode
        }
        None => {
            written.created = true;
            0o600
        }
    };
    replace_file(&written.path, &dir, &file_name, &new_bytes, mode, durability)?;
    written.changed = true;
    Ok((value, written))
}

/// [`update`] that replaces the whole file with `bytes`, whatever it held (files only Rolebar
/// writes, such as its state, or one found unreadable that a sign-in replaces); the current
/// file is not read, so its size does not matter.
pub fn replace(path: &Path, role: KnownFile, bytes: &[u8], durability: Durability) -> Result<Written, FileError> {
    let ((), written) = update_with(path, role, Missing::Create, durability, Contents::Skip, |_| {
        Ok::<_, FileError>((Some(Zeroizing::new(bytes.to_vec())), ()))
    })?;
    Ok(written)
}

/// Appends `bytes` to the file at `path` (symbolic links followed; created 0600, its folder
/// 0700) under the file's lock (the sidecar of [`update`]), for logs that only grow. A file
/// that is not regular is refused as by [`update`]; a looser mode is tightened to 0600. When the
/// file would grow past `rotate_at` bytes, it is first renamed to `rotated` (replacing that
/// file) and a new one started, so a log keeps at most two files of about `rotate_at` each.
/// No fsync: a crash may lose the last lines, never interleave them.
pub fn append(path: &Path, role: KnownFile, bytes: &[u8], rotate_at: u64, rotated: &Path) -> Result<(), FileError> {
    let target = resolve(path, role)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file_name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(FileError::NotRegular {
            role,
            path: target,
            kind: FileKind::Directory,
            action: "append to",
        });
    };
    match fs::metadata(&target) {
        Ok(meta) => check_regular(&meta, &target, role, "append to")?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error("look at", &target)(e)),
    }
    if !dir.exists() {
        create_private_dir(&dir).map_err(io_error("create the folder", &dir))?;
    }
    let lock_path = dir.join(format!(".{file_name}.rolebar.lock"));
    let _lock = lock_sidecar(&lock_path).map_err(io_error("lock", &lock_path))?;
    let mut file = open_for_append(&target, role)?;
    let size = file.metadata().map_err(io_error("look at", &target))?.len();
    if size > 0 && size.saturating_add(bytes.len() as u64) > rotate_at {
        // Renamed under the lock: every writer holds it, so none appends to the old file after.
        fs::rename(&target, rotated).map_err(io_error("rotate", &target))?;
        file = open_for_append(&target, role)?;
    }
    file.write_all(bytes).map_err(io_error("append to", &target))
}

/// Opens (creating 0600) for appending without blocking or following a link planted since the
/// path was resolved, checks the kind on the handle, and tightens a looser mode.
fn open_for_append(path: &Path, role: KnownFile) -> Result<File, FileError> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(io_error("append to", path))?;
    let meta = file.metadata().map_err(io_error("look at", path))?;
    check_regular(&meta, path, role, "append to")?;
    if let (mode, Some(_)) = file_mode(existing_facts(&meta).mode) {
        set_mode(&file, mode).map_err(io_error("set the permissions of", path))?;
    }
    Ok(file)
}

/// Whether [`update`] could replace the file at `path` (or create it): the same refusals, checked
/// up front so a caller can fail before asking the user for anything (an MFA code, say).
pub fn check_writable(path: &Path, role: KnownFile) -> Result<(), FileError> {
    let target = resolve(path, role)?;
    match fs::metadata(&target) {
        Ok(meta) => {
            check_regular(&meta, &target, role, "write")?;
            check_replaceable(&existing_facts(&meta), &target, role)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("look at", &target)(e)),
    }
}

fn check_replaceable(existing: &Existing, path: &Path, role: KnownFile) -> Result<(), FileError> {
    if let Some(mode) = existing.mode.filter(|mode| mode & 0o200 == 0) {
        return Err(FileError::ReadOnly {
            role,
            path: path.to_path_buf(),
            mode,
        });
    }
    if existing.links > 1 {
        return Err(FileError::HardLinked {
            role,
            path: path.to_path_buf(),
            links: existing.links,
        });
    }
    Ok(())
}

/// The mode for the new file, and the old one when it had to be tightened.
fn file_mode(old: Option<u32>) -> (u32, Option<u32>) {
    match old {
        None => (0o600, None),
        Some(old) if old & !0o600 == 0 => (old, None),
        Some(old) => (0o600, Some(old)),
    }
}

/// Prefix and suffix of Rolebar's temporary files for `file_name`.
fn temp_affixes(file_name: &str) -> (String, &'static str) {
    (format!(".{file_name}.rolebar-"), ".tmp")
}

/// Removes temporary files of Rolebar's naming for `file_name` in `dir`. Called under the lock
/// (see the module doc). Best effort: a leftover that cannot be removed is logged, not fatal.
fn remove_stale_temp_files(dir: &Path, file_name: &str) {
    let (prefix, suffix) = temp_affixes(file_name);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours = name.len() > prefix.len() + suffix.len() && name.starts_with(&prefix) && name.ends_with(suffix);
        // Only regular files (never a link planted under that name).
        if !ours || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => {
                tracing::info!(path = %entry.path().display(), "removed a temporary file left by an interrupted write")
            }
            Err(e) => {
                tracing::warn!(path = %entry.path().display(), error = %e, "cannot remove a stale temporary file")
            }
        }
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Opens (creating, 0600) and locks the sidecar; the lock goes when the returned file is dropped.
fn lock_sidecar(lock_path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO planted as the lock file must not hang the open.
        options.mode(0o600).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(lock_path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("the lock file is not a regular file"));
    }
    // Fully qualified: std's `File::lock` (Rust 1.89+) would otherwise shadow the trait method.
    fs4::FileExt::lock(&file)?;
    Ok(file)
}

fn replace_file(
    target: &Path,
    dir: &Path,
    file_name: &str,
    bytes: &[u8],
    mode: u32,
    durability: Durability,
) -> Result<(), FileError> {
    let (prefix, suffix) = temp_affixes(file_name);
    // `NamedTempFile`: created 0600 with O_EXCL in the target's folder, so the rename stays on
    // one filesystem; deleted on any error.
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(io_error("create a temporary file in", dir))?;
    set_mode(temp.as_file(), mode).map_err(io_error("set the permissions of", temp.path()))?;
    temp.as_file_mut()
        .write_all(bytes)
        .map_err(io_error("write", temp.path()))?;
    if durability == Durability::Fsync {
        temp.as_file()
            .sync_all()
            .map_err(io_error("flush to disk", temp.path()))?;
    }
    temp.persist(target).map_err(|e| FileError::Io {
        action: "replace",
        path: target.to_path_buf(),
        source: e.error,
    })?;
    if durability == Durability::Fsync {
        sync_dir(dir).map_err(io_error("flush to disk the folder", dir))?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &File, _: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows cannot open a folder for flushing; the rename (MoveFileEx) is the best there is.
#[cfg(not(unix))]
fn sync_dir(_: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_kept_when_private_and_tightened_otherwise() {
        assert_eq!(file_mode(None), (0o600, None));
        assert_eq!(file_mode(Some(0o600)), (0o600, None));
        assert_eq!(file_mode(Some(0o644)), (0o600, Some(0o644)));
        assert_eq!(file_mode(Some(0o700)), (0o600, Some(0o700)));
    }

    #[test]
    fn replace_creates_private_files_and_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("state.json");
        let written = replace(&path, KnownFile::EXPIRY_STATE, b"{}", Durability::Fsync).expect("written");
        assert!(written.created && written.changed);
        assert_eq!(fs::read(&path).expect("read"), b"{}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir.path().join("sub")), 0o700);
        }
    }

    #[test]
    fn a_change_that_returns_nothing_leaves_a_missing_file_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("gone");
        let (seen, written) = update(
            &path,
            KnownFile::CREDENTIALS,
            Missing::Leave,
            Durability::Fsync,
            |bytes| Ok::<_, FileError>((Some(Zeroizing::new(b"x".to_vec())), bytes.is_none())),
        )
        .expect("ok");
        assert!(seen && !written.changed && !path.exists());
        assert!(
            !dir.path().join(".gone.rolebar.lock").exists(),
            "nothing locked for nothing"
        );
    }

    #[test]
    fn only_our_temp_names_are_stale() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in [
            ".credentials.rolebar-abc123.tmp",
            ".credentials.rolebar-.tmp",
            ".credentials.rolebar-x.tmp.keep",
            ".config.rolebar-abc.tmp",
            "credentials.rolebar-abc.tmp",
        ] {
            fs::write(dir.path().join(name), "s").expect("write");
        }
        remove_stale_temp_files(dir.path(), "credentials");
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".config.rolebar-abc.tmp",
                ".credentials.rolebar-.tmp",
                ".credentials.rolebar-x.tmp.keep",
                "credentials.rolebar-abc.tmp"
            ]
        );
    }

    /// Issue 19 (7c): a 200 MB token file was read whole. Refused from its size: nothing read,
    /// nothing allocated (a terabyte sparse file would abort the test if the size were trusted
    /// for the buffer), and a write over it that does not need it replaces it.
    #[test]
    fn a_file_over_the_limit_is_refused_from_its_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token.json");
        for size in [200 * 1024 * 1024, 1 << 40] {
            File::create(&path).expect("create").set_len(size).expect("sparse");
            let err = read(&path, KnownFile::SSO_TOKEN_CACHE).expect_err("too large");
            assert!(
                matches!(err, FileError::TooLarge { limit: MAX_JSON_BYTES, size: Some(s), .. } if s == size),
                "{err:?}"
            );
            assert_eq!(err.code(), "file_too_large");
            let shown = err.to_string();
            assert!(
                shown.contains(&path.display().to_string())
                    && shown.contains("1 MiB")
                    && shown.contains("SSO token cache"),
                "{shown}"
            );
            let update_err = update(&path, KnownFile::SETTINGS, Missing::Create, Durability::NoFsync, |_| {
                Ok::<_, FileError>((Some(Zeroizing::new(b"{}".to_vec())), ()))
            })
            .expect_err("not read for a change either");
            assert!(matches!(update_err, FileError::TooLarge { .. }), "{update_err:?}");
            assert_eq!(fs::metadata(&path).expect("meta").len(), size, "left as it was");
        }
        replace(&path, KnownFile::SSO_TOKEN_CACHE, b"{}", Durability::NoFsync).expect("replaced");
        assert_eq!(fs::read(&path).expect("read"), b"{}");
    }

    /// The AWS files have their own, larger limit: a 2 MiB config file (thousands of profiles)
    /// is read; a JSON file of that size is not.
    #[test]
    fn the_aws_files_may_be_larger_than_json_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        let line = "[profile p]\nregion = us-east-1\n";
        fs::write(&path, line.repeat((2 << 20) / line.len() + 1)).expect("write");
        assert!(read(&path, KnownFile::CONFIG).expect("read").is_some());
        assert!(read(&path, KnownFile::CREDENTIALS).expect("read").is_some());
        assert!(matches!(
            read(&path, KnownFile::SETTINGS),
            Err(FileError::TooLarge { .. })
        ));
        File::create(&path)
            .expect("create")
            .set_len(MAX_INI_BYTES + 1)
            .expect("sparse");
        assert!(matches!(
            read(&path, KnownFile::CONFIG),
            Err(FileError::TooLarge {
                limit: MAX_INI_BYTES,
                ..
            })
        ));
    }

    /// Something longer than its size said (a file that grew, an endless one) is read one byte
    /// past the limit and no further.
    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        struct Counting<R>(R, u64);
        impl<R: Read> Read for Counting<R> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.read(buf)?;
                self.1 += n as u64;
                Ok(n)
            }
        }
        let mut endless = Counting(io::repeat(b' '), 0);
        assert_eq!(read_bounded(&mut endless, 0, 1000).expect("read"), None);
        assert_eq!(endless.1, 1001);
        let mut exact = Counting(io::repeat(b' ').take(1000), 0);
        assert_eq!(
            read_bounded(&mut exact, 1000, 1000).expect("read").map(|b| b.len()),
            Some(1000)
        );
    }

    /// procfs files say they are empty: the limit holds them all the same.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_longer_than_its_size_is_held_to_the_limit_while_reading() {
        let path = Path::new("/proc/self/status");
        assert_eq!(fs::metadata(path).expect("meta").len(), 0, "procfs reports no size");
        let err = open_regular(path, KnownFile::SETTINGS, "read", Contents::Read { limit: 16 })
            .expect_err("longer than 16 bytes");
        assert!(
            matches!(
                err,
                FileError::TooLarge {
                    limit: 16,
                    size: None,
                    ..
                }
            ),
            "{err:?}"
        );
        let (bytes, _) = open_regular(path, KnownFile::SETTINGS, "read", Contents::Read { limit: 1 << 20 })
            .expect("read")
            .expect("there");
        assert!(bytes.starts_with(b"Name:"));
    }

    #[cfg(unix)]
    #[test]
    fn kinds_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = read(dir.path(), KnownFile::CONFIG).expect_err("a directory");
        assert!(
            matches!(
                err,
                FileError::NotRegular {
                    kind: FileKind::Directory,
                    ..
                }
            ),
            "{err}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("is a directory") && shown.contains("AWS_CONFIG_FILE"),
            "{shown}"
        );
        assert_eq!(err.code(), "not_a_regular_file");
        assert_eq!(
            read(Path::new("/dev/null"), KnownFile::CONFIG)
                .expect("empty")
                .map(|b| b.len()),
            Some(0)
        );
    }
}
