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
//! [`crate::private_file`]: symbolic links followed, anything but a regular file refused (a
//! device, FIFO, socket or folder), a read-only or hard-linked file refused, a lock on a sidecar
//! file, stale temporary files of Rolebar's removed, an atomic replace (temp file, fsync, rename,
//! folder fsync), 0600.
//!
//! Ownership: Rolebar writes into a section only when it does not exist yet or Rolebar wrote it
//! (`manager = rolebar`); any other section (even one holding only a comment and a region) needs
//! `force`, and the refusal lists what the section holds. Taking a session back (log out, expiry
//! clean-up) removes only the lines Rolebar writes ([`WRITTEN_KEYS`]), and the header only when
//! nothing of anyone else's is left in the section, so a forced section keeps the user's lines.
//!
//! Every write also takes back the Rolebar sections whose `rolebar_expiration` has passed.

mod edit;

pub use crate::private_file::Durability;
pub use edit::{EXPIRATION_KEY, MANAGER_KEY, MANAGER_VALUE, SOURCE_KEY, WRITTEN_KEYS};

use super::error::OutputError;
use super::text::rfc3339_utc;
use crate::private_file::{self, KnownFile, Missing, Written};
use crate::profile::ini::{classify, IniFile, LineKind};
use crate::session::Session;
use edit::{Document, Edit, Now};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use zeroize::Zeroizing;

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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Write into a section Rolebar did not write (its credential keys are replaced, its other
    /// lines kept).
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
    /// `force` was needed and long-term keys in the section were replaced.
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
/// - an existing section Rolebar did not write (no `manager = rolebar`), unless `options.force`:
///   [`OutputError::LongTermKeys`] when it holds long-term keys (a key id without a session
///   token), [`OutputError::NotOwned`] otherwise; both list what the section holds;
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

/// Everything [`write_profile`] would refuse before it has a session: the name, the config, the
/// file itself (kind, mode, links) and a section Rolebar did not write (unless `force`). For
/// front ends that must not ask for an MFA code only to have the write refused.
pub fn check_write(path: &Path, profile: &str, config: Option<&IniFile>, force: bool) -> Result<(), OutputError> {
    check_profile_name(profile)?;
    if let Some(config) = config {
        check_not_configured(config, profile)?;
    }
    private_file::check_writable(path, KnownFile::CREDENTIALS)?;
    let Some(text) = private_file::read_text(path, KnownFile::CREDENTIALS)? else {
        return Ok(());
    };
    let text = text.map_err(|_| OutputError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    let doc = Document::parse(&text);
    match doc.first(profile) {
        Some(index) if !force => check_owned(&doc, index, profile, path),
        _ => Ok(()),
    }
}

/// A section Rolebar did not write is refused, saying what it holds.
fn check_owned(doc: &Document<'_>, index: usize, profile: &str, display_path: &Path) -> Result<(), OutputError> {
    let section = &doc.sections[index];
    if section.is_rolebar() {
        return Ok(());
    }
    let (profile, path, line) = (profile.to_string(), display_path.to_path_buf(), section.line_number());
    let holds = doc.describe(section);
    Err(if section.holds_long_term_keys() {
        OutputError::LongTermKeys {
            profile,
            path,
            line,
            holds,
        }
    } else {
        OutputError::NotOwned {
            profile,
            path,
            line,
            holds,
        }
    })
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

    let missing = if only_if_holding {
        Missing::Leave
    } else {
        Missing::Create
    };
    let (outcome, file) = with_locked_file(path, durability, missing, |text, display_path| {
        let doc = Document::parse(text);
        let target = doc.first(profile);
        if only_if_holding {
            check_holding(&doc, target, profile, &session.profile, display_path)?;
        }
        let mut replaced_long_term_keys = false;
        if let Some(index) = target {
            if !force {
                check_owned(&doc, index, profile, display_path)?;
            }
            let section = &doc.sections[index];
            replaced_long_term_keys = !section.is_rolebar() && section.holds_long_term_keys();
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

/// Takes Rolebar's session out of section `[profile]` of the credentials file at `path`, only if
/// it carries `manager = rolebar` ([`OutputError::NotManaged`], naming its line, otherwise:
/// Rolebar never touches a section it does not own). Only the lines Rolebar writes go
/// ([`WRITTEN_KEYS`]); the header goes too when nothing else is left in the section. With
/// duplicate sections, the first is the one judged, as for writes. Every other byte of the file
/// stays. Returns the file changed.
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
    let ((), file) = with_locked_file(path, Durability::Fsync, Missing::Leave, |text, display_path| {
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
        edit.take_back(index);
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
    let Some(text) = private_file::read_text(path, KnownFile::CREDENTIALS)? else {
        return Ok(Vec::new());
    };
    let text = text.map_err(|_| OutputError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
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

/// Takes back every Rolebar section whose `rolebar_expiration` is at or before `now` (as
/// [`remove_profile`] does), returning their names. A missing file, or nothing expired, leaves
/// the file untouched (not rewritten).
pub fn remove_expired(path: &Path, now: OffsetDateTime) -> Result<Vec<String>, OutputError> {
    let (removed, _) = with_locked_file(path, Durability::Fsync, Missing::Leave, |text, _| {
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
            edit.take_back(index);
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

/// Locks, reads, lets `edit` produce the new text (or `None` for no change), writes it atomically
/// (all by [`private_file::update`]'s rules). `edit` gets the current text and the path to name
/// in errors.
fn with_locked_file<T>(
    path: &Path,
    durability: Durability,
    missing: Missing,
    edit: impl FnOnce(&str, &Path) -> Result<(Option<Zeroizing<String>>, T), OutputError>,
) -> Result<(T, Written), OutputError> {
    private_file::update(path, KnownFile::CREDENTIALS, missing, durability, |bytes| {
        let text = match bytes {
            None => Zeroizing::new(String::new()),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Zeroizing::new(text.to_string()),
                Err(_) => {
                    return Err(OutputError::NotUtf8 {
                        path: path.to_path_buf(),
                    })
                }
            },
        };
        let (new_text, value) = edit(&text, path)?;
        Ok((new_text.map(|t| Zeroizing::new(t.as_bytes().to_vec())), value))
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;

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
