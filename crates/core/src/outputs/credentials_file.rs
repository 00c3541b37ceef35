//! Writing a session into a profile of the shared credentials file (`~/.aws/credentials`), and
//! taking back what Rolebar wrote.
//!
//! A written section looks like this:
//!
//! ```ini
//! [dev-creds]
//! aws_access_key_id = ASIA…
//! aws_secret_access_key = …
//! aws_session_token = …
//! manager = rolebar
//! rolebar_expiration = 2026-05-01T12:00:00Z
//! rolebar_source_profile = oppara-dev
//! ```
//!
//! The marker and the expiration are keys, not comments, because other tools (the AWS CLI's
//! `aws configure set`, awsume, saml2aws…) rewrite this file and drop comments; the AWS CLI
//! ignores keys it does not know. awsume marks its sections the same way (`manager = awsume`).
//!
//! Every other byte of the file stays as it was (see [`edit`]). Each change is made safe by
//! construction:
//!
//! 1. symbolic links are followed to the real file, so the link stays and its target is updated;
//! 2. the folder is created (mode 0700) when missing;
//! 3. an advisory lock is taken on a sidecar file next to the target
//!    (`.credentials.rolebar.lock`), never on the target itself: the target is replaced by a
//!    rename, so a lock held on it would stay on the old, unlinked file while the next writer
//!    locks the new one. The sidecar is never deleted (deleting a lock file lets two writers
//!    each lock a different one);
//! 4. the file is read, edited in memory, and written whole to a temporary file in the same
//!    folder, which is flushed to disk ([`Durability::Fsync`]) and renamed over the target; the
//!    folder is flushed too so the rename itself survives a crash. A reader sees the old file
//!    or the new one, never half of one;
//! 5. permissions: a new file is 0600; an existing file keeps its mode when that grants nothing
//!    beyond 0600 (0600, 0400…), and is tightened to 0600 otherwise (reported in
//!    [`WriteReport::mode_tightened_from`]), since it now holds Rolebar's secrets.
//!
//! Every write also removes the Rolebar sections whose `rolebar_expiration` has passed.

mod edit;

pub use edit::{EXPIRATION_KEY, MANAGER_KEY, MANAGER_VALUE, SOURCE_KEY};

use super::{rfc3339_utc, OutputError};
use crate::links::FollowError;
use crate::profile::ini::{classify, IniFile, LineKind};
use crate::session::Session;
use edit::{Document, Edit, Now};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use zeroize::{Zeroize, Zeroizing};

/// Keys in a config-file profile that make the AWS CLI get its credentials some other way than
/// from the credentials file's keys (or mix the two): writing a session under that profile's name
/// would be ignored, or would silently replace what the profile is set up to do.
const CONFIGURED_CREDENTIAL_KEYS: [&str; 5] = [
    "role_arn",
    "source_profile",
    "credential_process",
    "sso_session",
    "sso_start_url",
];

/// Whether a write waits for the data to reach the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// fsync the new file before the rename and the folder after it. Always, outside benchmarks.
    #[default]
    Fsync,
    /// Skip both fsyncs (benchmarks, tests): a crash may then lose the write, though a reader
    /// still never sees half a file.
    NoFsync,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Write even over a section holding long-term keys that Rolebar did not write.
    pub force: bool,
    pub durability: Durability,
}

/// Where the section went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The existing section whose header is on this (1-based) line was updated in place.
    Replaced { line: usize },
    /// A new section was added at the end of the file.
    Appended,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// The file written: the given path with symbolic links followed.
    pub path: PathBuf,
    pub placement: Placement,
    /// The file did not exist before.
    pub created_file: bool,
    /// `force` was needed: long-term keys in the section were replaced.
    pub replaced_long_term_keys: bool,
    /// Expired Rolebar sections removed on the way, by name.
    pub removed_expired: Vec<String>,
    /// Header lines (1-based, before the write) of further sections with the target's name;
    /// they were left as they are. The AWS CLI refuses a file with duplicate sections, so the
    /// UI should tell the user.
    pub duplicate_lines: Vec<usize>,
    /// The file's previous mode when it granted more than 0600 and was tightened (Unix).
    pub mode_tightened_from: Option<u32>,
}

/// The credentials file the AWS CLI reads: `$AWS_SHARED_CREDENTIALS_FILE` when set (a leading
/// `~` is expanded, as the CLI does), else `~/.aws/credentials`. `None` without a home folder.
pub fn default_credentials_path() -> Option<PathBuf> {
    let home = dirs::home_dir();
    if let Some(path) = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), &home) {
            return Some(home.join(rest));
        }
        return Some(path);
    }
    home.map(|home| home.join(".aws").join("credentials"))
}

/// Writes `session` into section `[profile]` of the credentials file at `path`.
///
/// Refuses (each a distinct [`OutputError`]):
/// - a name the AWS CLI cannot address ([`OutputError::InvalidProfileName`]);
/// - a profile that `config` sets up to get credentials another way (`role_arn`,
///   `source_profile`, `credential_process`, `sso_session`, `sso_start_url`):
///   [`OutputError::ConfiguredProfile`], suggesting `<profile>-creds`;
/// - a section holding long-term keys (a key id without a session token) and no Rolebar marker,
///   unless `options.force`: [`OutputError::LongTermKeys`];
/// - a session without a session token, or one already expired at `now`.
///
/// Expired Rolebar sections (other than the target) are removed in the same write.
pub fn write_profile(
    path: &Path,
    profile: &str,
    session: &Session,
    config: Option<&IniFile>,
    now: OffsetDateTime,
    options: WriteOptions,
) -> Result<WriteReport, OutputError> {
    let guard = Guard {
        config,
        force: options.force,
        only_if_holding: false,
    };
    write_section(path, profile, session, now, options.durability, guard)
}

/// Rewrites `[profile]` with a fresh `session` only while it is still a Rolebar section holding
/// that session's profile (`rolebar_source_profile`), checked under the lock: a section removed,
/// taken over or pointed at another profile since is left alone
/// ([`OutputError::ProfileNotFound`], [`OutputError::SectionChanged`]). `config` as for
/// [`write_profile`]: a name the config has since set up another way is refused. For auto-refresh.
pub fn refresh_profile(
    path: &Path,
    profile: &str,
    session: &Session,
    config: Option<&IniFile>,
    now: OffsetDateTime,
    durability: Durability,
) -> Result<WriteReport, OutputError> {
    let guard = Guard {
        config,
        force: false,
        only_if_holding: true,
    };
    write_section(path, profile, session, now, durability, guard)
}

/// What a write checks before it touches a section.
struct Guard<'a> {
    /// Refuse a profile this config sets up another way.
    config: Option<&'a IniFile>,
    /// Write over long-term keys Rolebar did not write.
    force: bool,
    /// Only rewrite a Rolebar section holding the session's profile; never create one.
    only_if_holding: bool,
}

fn write_section(
    path: &Path,
    profile: &str,
    session: &Session,
    now: OffsetDateTime,
    durability: Durability,
    guard: Guard<'_>,
) -> Result<WriteReport, OutputError> {
    let Guard {
        config,
        force,
        only_if_holding,
    } = guard;
    check_profile_name(profile)?;
    if let Some(config) = config {
        check_not_configured(config, profile)?;
    }
    let credentials = &session.credentials;
    let token = credentials
        .session_token
        .as_ref()
        .ok_or_else(|| OutputError::NotTemporary {
            profile: profile.to_string(),
        })?;
    if session.expires_at <= now {
        return Err(OutputError::SessionExpired {
            profile: profile.to_string(),
        });
    }
    let expiration = rfc3339_utc(session.expires_at)?;
    // The only place the secrets are read for this output.
    let entries: [(&str, &str); 6] = [
        ("aws_access_key_id", &credentials.access_key_id),
        ("aws_secret_access_key", credentials.secret_access_key.expose()),
        ("aws_session_token", token.expose()),
        (MANAGER_KEY, MANAGER_VALUE),
        (EXPIRATION_KEY, &expiration),
        (SOURCE_KEY, &session.profile),
    ];
    for (field, value) in entries
        .iter()
        .filter(|(field, _)| *field != MANAGER_KEY && *field != EXPIRATION_KEY)
    {
        check_value(field, value)?;
    }

    let mode = if only_if_holding { Mode::Existing } else { Mode::Create };
    let (outcome, file) = with_locked_file(path, durability, mode, |text, display_path| {
        let doc = Document::parse(text);
        let target = doc.first(profile);
        if only_if_holding {
            check_holding(&doc, target, profile, &session.profile, display_path)?;
        }
        let mut replaced_long_term_keys = false;
        if let Some(section) = target.map(|i| &doc.sections[i]) {
            if section.holds_long_term_keys() && !section.is_rolebar() {
                if !force {
                    return Err(OutputError::LongTermKeys {
                        profile: profile.to_string(),
                        path: display_path.to_path_buf(),
                        line: section.line_number(),
                    });
                }
                replaced_long_term_keys = true;
            }
        }
        let mut edit = Edit::new(&doc);
        edit.upsert(target, profile, &entries);
        let removed_expired = remove_expired_sections(&doc, &mut edit, now, target);
        let outcome = WriteOutcome {
            placement: match target {
                Some(i) => Placement::Replaced {
                    line: doc.sections[i].line_number(),
                },
                None => Placement::Appended,
            },
            replaced_long_term_keys,
            removed_expired,
            duplicate_lines: doc.duplicate_lines(profile),
        };
        Ok((Some(edit.render()), outcome))
    })?;
    if outcome.replaced_long_term_keys {
        tracing::warn!(profile, path = %file.path.display(), "replaced long-term keys (forced)");
    }
    Ok(WriteReport {
        path: file.path,
        placement: outcome.placement,
        created_file: file.created,
        replaced_long_term_keys: outcome.replaced_long_term_keys,
        removed_expired: outcome.removed_expired,
        duplicate_lines: outcome.duplicate_lines,
        mode_tightened_from: file.mode_tightened_from,
    })
}

/// Removes section `[profile]` from the credentials file at `path`, only if it carries
/// `manager = rolebar` ([`OutputError::NotManaged`], naming its line, otherwise: Rolebar never
/// deletes a section it does not own). With duplicate sections, the first is the one judged and
/// removed, as for writes. Every other byte of the file stays. Returns the file changed.
pub fn remove_profile(path: &Path, profile: &str) -> Result<PathBuf, OutputError> {
    remove_section(path, profile, None)
}

/// [`remove_profile`], only while `[profile]` still holds `source_profile`'s session
/// (`rolebar_source_profile`), checked under the lock ([`OutputError::SectionChanged`]
/// otherwise). For "Log out" of a profile.
pub fn remove_profile_of(path: &Path, profile: &str, source_profile: &str) -> Result<PathBuf, OutputError> {
    remove_section(path, profile, Some(source_profile))
}

fn remove_section(path: &Path, profile: &str, source_profile: Option<&str>) -> Result<PathBuf, OutputError> {
    let ((), file) = with_locked_file(path, Durability::Fsync, Mode::Existing, |text, display_path| {
        let doc = Document::parse(text);
        let target = doc.first(profile);
        if let Some(source) = source_profile {
            check_holding(&doc, target, profile, source, display_path)?;
        }
        let Some(index) = target else {
            return Err(OutputError::ProfileNotFound {
                profile: profile.to_string(),
                path: display_path.to_path_buf(),
            });
        };
        let section = &doc.sections[index];
        if !section.is_rolebar() {
            return Err(OutputError::NotManaged {
                profile: profile.to_string(),
                path: display_path.to_path_buf(),
                line: section.line_number(),
            });
        }
        let mut edit = Edit::new(&doc);
        edit.remove_section(index);
        Ok((Some(edit.render()), ()))
    })?;
    Ok(file.path)
}

/// The first `[profile]` (the one the AWS CLI and every write use) is a Rolebar section holding
/// `source`'s session.
fn check_holding(
    doc: &Document<'_>,
    target: Option<usize>,
    profile: &str,
    source: &str,
    display_path: &Path,
) -> Result<(), OutputError> {
    let Some(section) = target.map(|i| &doc.sections[i]) else {
        return Err(OutputError::ProfileNotFound {
            profile: profile.to_string(),
            path: display_path.to_path_buf(),
        });
    };
    if section.is_rolebar() && section.value(SOURCE_KEY) == Some(source) {
        return Ok(());
    }
    Err(OutputError::SectionChanged {
        profile: profile.to_string(),
        source_profile: source.to_string(),
        path: display_path.to_path_buf(),
        line: section.line_number(),
    })
}

/// A section of the credentials file that Rolebar wrote, as [`rolebar_sections`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolebarSection {
    pub name: String,
    /// The profile whose session it holds (`rolebar_source_profile`; absent in sections written
    /// before Rolebar recorded it).
    pub source_profile: Option<String>,
    /// `rolebar_expiration`, when readable.
    pub expires_at: Option<OffsetDateTime>,
}

/// The sections carrying `manager = rolebar` in the credentials file at `path`, in file order
/// (no secrets are returned). A missing file has none. Read without the lock: writers replace
/// the file by a rename, so this sees one whole version.
pub fn rolebar_sections(path: &Path) -> Result<Vec<RolebarSection>, OutputError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => Zeroizing::new(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("read", path)(e)),
    };
    let doc = Document::parse(&text);
    // Only the first section of a name counts: it is the one every write and the AWS CLI use.
    let mut seen = std::collections::HashSet::new();
    Ok(doc
        .sections
        .iter()
        .filter(|section| seen.insert(section.name))
        .filter(|section| section.is_rolebar())
        .map(|section| RolebarSection {
            name: section.name.to_string(),
            source_profile: section.value(SOURCE_KEY).map(str::to_string),
            expires_at: section
                .value(EXPIRATION_KEY)
                .and_then(|v| OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok()),
        })
        .collect())
}

/// Removes every Rolebar section whose `rolebar_expiration` is at or before `now`, returning
/// their names. A missing file, or nothing expired, leaves the file untouched (not rewritten).
pub fn remove_expired(path: &Path, now: OffsetDateTime) -> Result<Vec<String>, OutputError> {
    let (removed, _) = with_locked_file(path, Durability::Fsync, Mode::Existing, |text, _| {
        let doc = Document::parse(text);
        let mut edit = Edit::new(&doc);
        let removed = remove_expired_sections(&doc, &mut edit, now, None);
        let text = edit.is_changed().then(|| edit.render());
        Ok((text, removed))
    })?;
    Ok(removed)
}

struct WriteOutcome {
    placement: Placement,
    replaced_long_term_keys: bool,
    removed_expired: Vec<String>,
    duplicate_lines: Vec<usize>,
}

fn remove_expired_sections(
    doc: &Document<'_>,
    edit: &mut Edit<'_, '_>,
    now: OffsetDateTime,
    keep: Option<usize>,
) -> Vec<String> {
    let now = Now::new(now);
    let mut removed = Vec::new();
    for (index, section) in doc.sections.iter().enumerate() {
        if Some(index) != keep && section.is_expired_rolebar(&now) {
            edit.remove_section(index);
            removed.push(section.name.to_string());
        }
    }
    removed
}

fn check_profile_name(name: &str) -> Result<(), OutputError> {
    let invalid = |reason| {
        Err(OutputError::InvalidProfileName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return invalid("it is empty");
    }
    if name.contains(['\n', '\r']) {
        return invalid("it contains a line break");
    }
    if name.contains(']') {
        return invalid("it contains `]`, which would end the section header early");
    }
    if name.chars().any(char::is_control) {
        return invalid("it contains a control character");
    }
    if name.trim() != name {
        return invalid("it starts or ends with whitespace, which the AWS CLI trims away");
    }
    // Last check, for whatever the rules above missed: the header must read back as this name.
    if classify(&format!("[{name}]")) != LineKind::Section(name) {
        return invalid("a `[section]` header with it would not read back as the same name");
    }
    Ok(())
}

/// The AWS CLI would not use what is written: refuse (no force: it cannot do what the user wants).
fn check_not_configured(config: &IniFile, profile: &str) -> Result<(), OutputError> {
    for section in config
        .sections
        .iter()
        .filter(|s| config_section_names(&s.header, profile))
    {
        for key in CONFIGURED_CREDENTIAL_KEYS {
            if let Some(property) = section.get(key) {
                return Err(OutputError::ConfiguredProfile {
                    profile: profile.to_string(),
                    config_path: config.path.clone(),
                    line: property.line,
                    key: key.to_string(),
                    suggestion: format!("{profile}-creds"),
                });
            }
        }
    }
    Ok(())
}

/// Whether a config-file header names `profile`: `[profile NAME]` (any spacing), or `[default]`
/// for `default`. In the config file a bare `[NAME]` is not a profile (except `default`).
fn config_section_names(header: &str, profile: &str) -> bool {
    if header == "default" {
        return profile == "default";
    }
    header
        .strip_prefix("profile")
        .filter(|rest| rest.starts_with([' ', '\t']))
        .is_some_and(|rest| rest.trim() == profile)
}

/// A value must survive the INI round trip unchanged: the parser trims values and ends them at a
/// line break. Never the case for values from STS; checked so a bad one fails instead of
/// writing credentials that read back different.
fn check_value(field: &'static str, value: &str) -> Result<(), OutputError> {
    let reason = if value.is_empty() {
        "is empty"
    } else if value.contains(['\n', '\r']) {
        "contains a line break"
    } else if value.contains('\0') {
        "contains a NUL byte"
    } else if value.trim() != value {
        "starts or ends with whitespace, which would be trimmed away"
    } else {
        return Ok(());
    };
    Err(OutputError::UnwritableValue { field, reason })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Create the file (and its folder) when missing.
    Create,
    /// A missing file is read as empty and never created.
    Existing,
}

struct FileFacts {
    path: PathBuf,
    created: bool,
    mode_tightened_from: Option<u32>,
}

/// `map_err` for an I/O step: what was being done, and to which path.
fn io_error(action: &'static str, at: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = at.to_path_buf();
    move |source| OutputError::Io { action, path, source }
}

/// Locks, reads, lets `edit` produce the new text (or `None` for no change), writes it atomically.
/// `edit` gets the current text and the path to name in errors.
fn with_locked_file<T>(
    path: &Path,
    durability: Durability,
    mode: Mode,
    edit: impl FnOnce(&str, &Path) -> Result<(Option<Zeroizing<String>>, T), OutputError>,
) -> Result<(T, FileFacts), OutputError> {
    let target = resolve_symlinks(path)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file_name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(io_error("write", &target)(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        )));
    };
    let exists = target.try_exists().map_err(io_error("look at", &target))?;
    if !exists && mode == Mode::Existing {
        let (_, value) = edit("", path)?;
        let facts = FileFacts {
            path: target,
            created: false,
            mode_tightened_from: None,
        };
        return Ok((value, facts));
    }
    if !dir.exists() {
        create_private_dir(&dir).map_err(io_error("create the folder", &dir))?;
    }
    let lock_path = dir.join(format!(".{file_name}.rolebar.lock"));
    let _lock = lock_sidecar(&lock_path).map_err(io_error("lock", &lock_path))?;

    let (text, old_mode) = read_existing(&target)?;
    let created = text.is_none();
    let (new_text, value) = edit(text.as_deref().map_or("", String::as_str), path)?;
    let mut facts = FileFacts {
        path: target,
        created,
        mode_tightened_from: None,
    };
    if let Some(new_text) = new_text {
        let (new_mode, tightened_from) = file_mode(old_mode);
        facts.mode_tightened_from = tightened_from;
        replace_file(&facts.path, &dir, &file_name, &new_text, new_mode, durability)?;
    } else {
        facts.created = false;
    }
    Ok((value, facts))
}

/// Follows symbolic links (up to 40, like the kernel) to the file a write must replace. A
/// dangling link resolves to its missing target, which the write then creates.
fn resolve_symlinks(path: &Path) -> Result<PathBuf, OutputError> {
    crate::links::follow_symlinks(path).map_err(|e| match e {
        FollowError::Io { action, path, source } => OutputError::Io { action, path, source },
        FollowError::Loop => OutputError::SymlinkLoop {
            path: path.to_path_buf(),
        },
    })
}

/// The text (`None` when the file is missing) and the mode bits of the file.
fn read_existing(target: &Path) -> Result<(Option<Zeroizing<String>>, Option<u32>), OutputError> {
    let bytes = match fs::read(target) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((None, None)),
        Err(source) => {
            return Err(OutputError::Io {
                action: "read",
                path: target.to_path_buf(),
                source,
            })
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        e.into_bytes().zeroize();
        OutputError::NotUtf8 {
            path: target.to_path_buf(),
        }
    })?;
    let text = Zeroizing::new(text);
    let mode = fs::metadata(target)
        .map_err(|source| OutputError::Io {
            action: "read the permissions of",
            path: target.to_path_buf(),
            source,
        })?
        .permissions();
    Ok((Some(text), permission_bits(&mode)))
}

#[cfg(unix)]
fn permission_bits(permissions: &fs::Permissions) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(permissions.mode() & 0o7777)
}

#[cfg(not(unix))]
fn permission_bits(_: &fs::Permissions) -> Option<u32> {
    None
}

/// The mode for the new file, and the old one when it had to be tightened.
fn file_mode(old: Option<u32>) -> (u32, Option<u32>) {
    match old {
        None => (0o600, None),
        Some(old) if old & !0o600 == 0 => (old, None),
        Some(old) => (0o600, Some(old)),
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
        options.mode(0o600);
    }
    let file = options.open(lock_path)?;
    // Fully qualified: std's `File::lock` (Rust 1.89+) would otherwise shadow the trait method.
    fs4::FileExt::lock(&file)?;
    Ok(file)
}

fn replace_file(
    target: &Path,
    dir: &Path,
    file_name: &str,
    text: &str,
    mode: u32,
    durability: Durability,
) -> Result<(), OutputError> {
    // `NamedTempFile` (through its builder, for a name that says whose it is): created 0600 with
    // O_EXCL in the target's folder, so the rename stays on one filesystem; deleted on any error.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}.rolebar-"))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_error("create a temporary file in", dir))?;
    set_mode(temp.as_file(), mode).map_err(io_error("set the permissions of", temp.path()))?;
    temp.as_file_mut()
        .write_all(text.as_bytes())
        .map_err(io_error("write", temp.path()))?;
    if durability == Durability::Fsync {
        temp.as_file()
            .sync_all()
            .map_err(io_error("flush to disk", temp.path()))?;
    }
    temp.persist(target).map_err(|e| OutputError::Io {
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
    fn profile_names_the_cli_cannot_address_are_refused() {
        for bad in ["", "a]b", "a\nb", "a\rb", " a", "a ", "a\tb", "x\u{7}"] {
            let err = check_profile_name(bad).expect_err(bad);
            assert_eq!(err.code(), "invalid_profile_name", "{bad:?}");
        }
        for good in ["default", "dev-creds", "profile x", "a[b", "#hash", "ünï côdé", "a=b"] {
            check_profile_name(good).expect(good);
        }
    }

    #[test]
    fn modes_are_kept_when_private_and_tightened_otherwise() {
        assert_eq!(file_mode(None), (0o600, None));
        assert_eq!(file_mode(Some(0o600)), (0o600, None));
        assert_eq!(file_mode(Some(0o400)), (0o400, None));
        assert_eq!(file_mode(Some(0o644)), (0o600, Some(0o644)));
        assert_eq!(file_mode(Some(0o700)), (0o600, Some(0o700)));
    }

    #[test]
    fn config_headers_name_profiles_as_the_cli_reads_them() {
        assert!(config_section_names("profile dev", "dev"));
        assert!(config_section_names("profile   dev", "dev"));
        assert!(config_section_names("default", "default"));
        assert!(config_section_names("profile default", "default"));
        assert!(!config_section_names("dev", "dev"));
        assert!(!config_section_names("profiledev", "dev"));
        assert!(!config_section_names("sso-session dev", "dev"));
    }

    #[test]
    fn values_that_would_not_read_back_are_refused() {
        for bad in ["", "a\nb", " a", "a\0"] {
            assert_eq!(
                check_value("secret access key", bad).expect_err(bad).code(),
                "unwritable_value"
            );
        }
        check_value("secret access key", "wJalr/K7MDENG+bPxRfiCY=").expect("fine");
    }
}
