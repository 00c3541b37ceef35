//! AWS profiles from `~/.aws/config` and `~/.aws/credentials`, named and merged as the AWS CLI does.

pub mod append;
pub mod endpoints;
pub mod header;
pub mod ini;
pub mod mfa_sources;
pub mod resolve;
pub mod sso;
mod written;

pub use mfa_sources::MfaSourceSettings;
pub use resolve::{CredentialSource, KeySource, ProcessSource, ResolvedProfile, RoleSpec, StsEndpoint};
pub use sso::{SsoRoleSpec, SsoSessionConfig};
pub use written::WrittenSection;

use crate::error::{Error, Result};
use crate::private_file::{self, KnownFile};
use header::ConfigSection;
use ini::{IniFile, Section, SyntaxError};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where the two files are: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsPaths {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl AwsPaths {
    pub fn from_env() -> Result<Self> {
        let home = || dirs::home_dir().ok_or(Error::NoHomeDirectory);
        let config = match std::env::var_os("AWS_CONFIG_FILE") {
            Some(p) if !p.is_empty() => expand_tilde(PathBuf::from(p)),
            _ => home()?.join(".aws").join("config"),
        };
        let credentials = match std::env::var_os("AWS_SHARED_CREDENTIALS_FILE") {
            Some(p) if !p.is_empty() => expand_tilde(PathBuf::from(p)),
            _ => home()?.join(".aws").join("credentials"),
        };
        Ok(AwsPaths { config, credentials })
    }
}

fn expand_tilde(path: PathBuf) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path,
    }
}

/// Which file a setting came from, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    Config,
    Credentials,
}

/// One profile's sections: its `[profile x]` in config and `[x]` in credentials, either optional
/// (neither for a profile known only from the keyring).
#[derive(Debug, Clone, Default)]
struct ProfileSections {
    config: Option<usize>,
    credentials: Option<usize>,
}

/// A setting with where it was written.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    pub value: &'a str,
    pub path: &'a Path,
    pub line: usize,
}

impl Setting<'_> {
    /// This value refused as `profile`'s `key`, with the file and line it is written at and why.
    pub(crate) fn invalid(self, profile: &str, key: &'static str, reason: &str) -> crate::Error {
        crate::Error::InvalidSetting {
            profile: profile.to_string(),
            key,
            value: self.value.to_string(),
            path: self.path.to_path_buf(),
            line: self.line,
            reason: reason.to_string(),
        }
    }
}

/// Both files, parsed, with profiles in file order (config first, then credentials-only ones), then
/// any profiles known only from the keyring (see [`ProfileSet::with_keyring_profiles`]).
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    config: IniFile,
    credentials: IniFile,
    order: Vec<String>,
    by_name: HashMap<String, ProfileSections>,
    /// `[sso-session NAME]` sections of the config file, by name.
    sso_sessions: HashMap<String, usize>,
    /// `[services NAME]` sections of the config file, by name.
    services: HashMap<String, usize>,
    /// Config-file sections dropped because their header is malformed (botocore drops them too).
    ignored: Vec<IgnoredSection>,
    /// Every name the keyring holds keys for (see [`ProfileSet::with_keyring_profiles`]).
    keyring: HashSet<String>,
}

impl ProfileSet {
    /// Reads both files; a missing file is an empty one (as for the AWS CLI).
    pub fn load(paths: &AwsPaths) -> Result<Self> {
        let config = read_optional(&paths.config, KnownFile::CONFIG)?;
        let credentials = read_optional(&paths.credentials, KnownFile::CREDENTIALS)?;
        Self::parse(&paths.config, &config, &paths.credentials, &credentials)
    }

    /// Parses both files; a file with malformed lines is refused with all of them named (config
    /// first: one file per error).
    pub fn parse(config_path: &Path, config: &str, credentials_path: &Path, credentials: &str) -> Result<Self> {
        let (config, mut config_errors) = ini::parse_with_errors(config_path, config);
        let (credentials, mut credentials_errors) = ini::parse_with_errors(credentials_path, credentials);
        let mut set = ProfileSet {
            config,
            credentials,
            order: Vec::new(),
            by_name: HashMap::new(),
            sso_sessions: HashMap::new(),
            services: HashMap::new(),
            ignored: Vec::new(),
            keyring: HashSet::new(),
        };
        for index in 0..set.config.sections.len() {
            let section = &set.config.sections[index];
            match header::config_section(&section.header) {
                Ok(ConfigSection::Profile(name)) => config_errors.extend(set.add(name, FileRole::Config, index)),
                Ok(ConfigSection::SsoSession(name)) => {
                    config_errors.extend(set.add_named(NamedKind::SsoSession, name, index))
                }
                Ok(ConfigSection::Services(name)) => {
                    config_errors.extend(set.add_named(NamedKind::Services, name, index))
                }
                Ok(ConfigSection::Other) => {}
                Err(reason) => {
                    let ignored = IgnoredSection {
                        path: set.config.path.clone(),
                        line: section.line,
                        header: section.header.clone(),
                        reason,
                    };
                    tracing::warn!("{ignored}");
                    set.ignored.push(ignored);
                }
            }
        }
        for index in 0..set.credentials.sections.len() {
            let name = set.credentials.sections[index].header.clone();
            credentials_errors.extend(set.add(name, FileRole::Credentials, index));
        }
        syntax_check(&set.config.path, config_errors)?;
        syntax_check(&set.credentials.path, credentials_errors)?;
        Ok(set)
    }

    /// Registers the section at `index`; a second section of the same profile is an error.
    fn add(&mut self, name: String, role: FileRole, index: usize) -> Option<SyntaxError> {
        let file = match role {
            FileRole::Config => &self.config,
            FileRole::Credentials => &self.credentials,
        };
        if !self.by_name.contains_key(&name) {
            self.order.push(name.clone());
        }
        let entry = self.by_name.entry(name.clone()).or_default();
        let slot = match role {
            FileRole::Config => &mut entry.config,
            FileRole::Credentials => &mut entry.credentials,
        };
        if let Some(first) = *slot {
            // botocore's strict configparser refuses duplicate sections too; say where both are.
            return Some(SyntaxError {
                line: file.sections[index].line,
                message: format!(
                    "profile `{name}` is defined twice (first on line {})",
                    file.sections[first].line
                ),
            });
        }
        *slot = Some(index);
        None
    }

    /// Registers an `[sso-session NAME]` or `[services NAME]` section; a second one of the same
    /// name is an error, as for profiles.
    fn add_named(&mut self, kind: NamedKind, name: String, index: usize) -> Option<SyntaxError> {
        let (map, word) = match kind {
            NamedKind::SsoSession => (&mut self.sso_sessions, "sso-session"),
            NamedKind::Services => (&mut self.services, "services"),
        };
        if let Some(&first) = map.get(&name) {
            return Some(SyntaxError {
                line: self.config.sections[index].line,
                message: format!(
                    "{word} `{name}` is defined twice (first on line {})",
                    self.config.sections[first].line
                ),
            });
        }
        map.insert(name, index);
        None
    }

    /// Config-file sections not read because their header is malformed, in file order.
    pub fn ignored_sections(&self) -> &[IgnoredSection] {
        &self.ignored
    }

    /// The `[services NAME]` section, if the config file has one.
    pub(crate) fn services_section(&self, name: &str) -> Option<&Section> {
        self.services.get(name).map(|&i| &self.config.sections[i])
    }

    /// The `[sso-session NAME]` section, if the config file has one.
    pub(crate) fn sso_session_section(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name).map(|&i| &self.config.sections[i])
    }

    /// The names of the `[sso-session NAME]` sections, in file order.
    pub fn sso_session_names(&self) -> Vec<&str> {
        let mut named: Vec<(&str, usize)> = self.sso_sessions.iter().map(|(n, &i)| (n.as_str(), i)).collect();
        named.sort_by_key(|&(_, i)| i);
        named.into_iter().map(|(n, _)| n).collect()
    }

    /// Adds the profiles whose keys are stored in the keyring (the names `KeyStore::list` gives):
    /// as in aws-vault, a profile may exist only there, with no section in either file. Such a
    /// profile has no settings of its own; it is listed, resolved (its keys are asked of the
    /// keyring at run time) and accepted as a `source_profile`. Names the files have are unchanged,
    /// except that a role profile without `source_profile` uses its own keyring keys (aws-vault).
    pub fn with_keyring_profiles<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        for name in names {
            let name = name.into();
            self.keyring.insert(name.clone());
            if !self.by_name.contains_key(&name) {
                self.order.push(name.clone());
                self.by_name.insert(name, ProfileSections::default());
            }
        }
        self
    }

    /// Profile names in the order the files list them, then those only in the keyring.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    /// Whether the keyring holds keys for `name` (as told by [`ProfileSet::with_keyring_profiles`]).
    pub fn has_keyring_keys(&self, name: &str) -> bool {
        self.keyring.contains(name)
    }

    /// A role profile without `source_profile` whose own keyring keys assume the role (as
    /// aws-vault does; the AWS CLI refuses such a profile).
    pub fn role_with_own_keyring_keys(&self, name: &str) -> bool {
        self.has_keyring_keys(name)
            && matches!(self.setting(name, "role_arn"), Ok(Some(_)))
            && matches!(self.setting(name, "source_profile"), Ok(None))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub fn config_path(&self) -> &Path {
        &self.config.path
    }

    pub fn credentials_path(&self) -> &Path {
        &self.credentials.path
    }

    /// The parsed config file, for callers that check what a profile is (e.g. output guard rails).
    pub fn config_file(&self) -> &IniFile {
        &self.config
    }

    fn sections(&self, name: &str) -> Option<(Option<&Section>, Option<&Section>)> {
        let s = self.by_name.get(name)?;
        Some((
            s.config.map(|i| &self.config.sections[i]),
            s.credentials.map(|i| &self.credentials.sections[i]),
        ))
    }

    /// A profile's own setting. The credentials file wins over the config file, as in botocore,
    /// which merges the credentials file's profiles over the config's.
    pub fn own_setting(&self, name: &str, key: &str) -> Option<Setting<'_>> {
        let (config, credentials) = self.sections(name)?;
        if let Some(p) = credentials.and_then(|s| s.get(key)) {
            return Some(Setting {
                value: &p.value,
                path: &self.credentials.path,
                line: p.line,
            });
        }
        config.and_then(|s| s.get(key)).map(|p| Setting {
            value: &p.value,
            path: &self.config.path,
            line: p.line,
        })
    }

    /// `[default]`'s own region (aws-vault's fallback for profiles without one).
    pub(crate) fn default_region(&self) -> Option<Setting<'_>> {
        self.own_setting("default", "region")
    }

    /// One profile's sections, looked up once for many settings (resolution reads ~20 keys).
    pub(crate) fn view<'a>(&'a self, name: &'a str) -> ProfileView<'a> {
        let (config, credentials) = self.sections(name).unwrap_or((None, None));
        let includes = config.is_some_and(|s| s.get("include_profile").is_some())
            || credentials.is_some_and(|s| s.get("include_profile").is_some());
        ProfileView {
            set: self,
            name,
            config,
            credentials,
            includes,
        }
    }

    /// Where a profile is defined: its config section if any, else its credentials section (none
    /// for a profile only in the keyring).
    pub fn location(&self, name: &str) -> Option<(&Path, usize)> {
        let (config, credentials) = self.sections(name)?;
        config
            .map(|s| (self.config.path.as_path(), s.line))
            .or_else(|| credentials.map(|s| (self.credentials.path.as_path(), s.line)))
    }
}

/// A profile's sections, for repeated lookups without hashing the name each time.
pub(crate) struct ProfileView<'a> {
    set: &'a ProfileSet,
    name: &'a str,
    config: Option<&'a Section>,
    credentials: Option<&'a Section>,
    includes: bool,
}

impl<'a> ProfileView<'a> {
    /// Like [`ProfileSet::setting`]: own setting (credentials file first), then includes.
    pub(crate) fn get(&self, key: &str) -> Result<Option<Setting<'a>>> {
        if let Some(p) = self.credentials.and_then(|s| s.get(key)) {
            return Ok(Some(Setting {
                value: &p.value,
                path: &self.set.credentials.path,
                line: p.line,
            }));
        }
        if let Some(p) = self.config.and_then(|s| s.get(key)) {
            return Ok(Some(Setting {
                value: &p.value,
                path: &self.set.config.path,
                line: p.line,
            }));
        }
        if self.includes {
            return self.set.setting(self.name, key);
        }
        Ok(None)
    }

    pub(crate) fn name(&self) -> &'a str {
        self.name
    }

    pub(crate) fn value(&self, key: &str) -> Result<Option<String>> {
        Ok(self.get(key)?.map(|s| s.value.to_string()))
    }
}

/// One error for a file's malformed lines, if it has any: one alone keeps the `path:line:` shape.
fn syntax_check(path: &Path, mut errors: Vec<SyntaxError>) -> Result<()> {
    // Duplicate profiles are found after the line checks: put them in file order with the rest.
    errors.sort_by_key(|e| e.line);
    match errors.len() {
        0 => Ok(()),
        1 => {
            let SyntaxError { line, message } = errors.remove(0);
            Err(Error::ConfigSyntax {
                path: path.to_path_buf(),
                line,
                message,
            })
        }
        _ => Err(Error::ConfigSyntaxLines {
            path: path.to_path_buf(),
            lines: errors,
        }),
    }
}

/// The file's text (wiped when dropped: the credentials file holds keys); a missing file is
/// empty. Never blocks: a FIFO, device or folder is refused by [`private_file::read`].
fn read_optional(path: &Path, role: KnownFile) -> Result<Zeroizing<String>> {
    match private_file::read_text(path, role)? {
        None => Ok(Zeroizing::new(String::new())),
        Some(Ok(text)) => Ok(text),
        Some(Err(_)) => Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8 text"),
        }),
    }
}

/// The profile a config-file header names, if it names one: `default`, `profile x`,
/// `profile "x y"` (see [`header::config_section`]). Other sections (`sso-session`, `services`,
/// plain `[x]`, malformed headers) are not profiles in the config file, as for the AWS CLI.
pub fn config_profile_name(header: &str) -> Option<String> {
    match header::config_section(header) {
        Ok(ConfigSection::Profile(name)) => Some(name),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy)]
enum NamedKind {
    SsoSession,
    Services,
}

/// A config-file section left out because its header names nothing botocore would read
/// (`[profile "a" "b"]`, `[profile "unclosed]`): it is neither a profile nor part of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredSection {
    pub path: PathBuf,
    pub line: usize,
    pub header: String,
    pub reason: &'static str,
}

impl std::fmt::Display for IgnoredSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: section [{}] is ignored: {}; the AWS CLI ignores it too",
            self.path.display(),
            self.line,
            self.header,
            self.reason
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;

    #[test]
    fn profile_headers_follow_the_cli() {
        assert_eq!(config_profile_name("default").as_deref(), Some("default"));
        assert_eq!(config_profile_name("profile dev").as_deref(), Some("dev"));
        assert_eq!(
            config_profile_name("profile   \"spaced name\"").as_deref(),
            Some("spaced name")
        );
        assert_eq!(config_profile_name("profiledev"), None);
        assert_eq!(config_profile_name("sso-session corp"), None);
        assert_eq!(config_profile_name("dev"), None);
    }

    #[test]
    fn malformed_profile_headers_are_dropped_with_their_line_never_half_read() {
        let config = "[profile \"personal\" \"otherkey\"]\nregion = eu-west-1\n\
                      [profile \"missing end quote]\naws_access_key_id = AKIAFAKEFAKEFAKE1234\n\
                      [profile ok]\nregion = us-east-2\n[profile a b]\n[sso-session x y]\n";
        let set = ProfileSet::parse(Path::new("config"), config, Path::new("c"), "").expect("parses");
        assert_eq!(set.names().collect::<Vec<_>>(), ["ok"]);
        assert!(set.sso_session_names().is_empty());
        let ignored: Vec<_> = set.ignored_sections().iter().map(|i| i.line).collect();
        assert_eq!(ignored, [1, 3, 7, 8]);
        let shown = set.ignored_sections()[0].to_string();
        assert!(
            shown.starts_with("config:1: section [profile \"personal\" \"otherkey\"] is ignored"),
            "{shown}"
        );
        for odd in [
            "personal\" \"otherkey",
            "\"missing end quote",
            "missing end quote",
            "personal",
            "a b",
        ] {
            assert!(!set.contains(odd), "{odd}");
        }
    }

    #[test]
    fn credentials_file_wins_and_order_is_kept() {
        let set = ProfileSet::parse(
            Path::new("config"),
            "[profile b]\nregion=x\n[default]\nregion=y\n",
            Path::new("credentials"),
            "[default]\nregion=z\n[a]\naws_access_key_id=AKIA\n",
        )
        .expect("parses");
        assert_eq!(set.names().collect::<Vec<_>>(), ["b", "default", "a"]);
        let region = set.own_setting("default", "region").expect("region");
        assert_eq!((region.value, region.line), ("z", 2));
        assert_eq!(region.path, Path::new("credentials"));
    }

    #[test]
    fn duplicate_profiles_are_an_error_with_both_lines() {
        let err = ProfileSet::parse(Path::new("config"), "[profile a]\n[profile a]\n", Path::new("c"), "")
            .expect_err("duplicate");
        assert!(err.to_string().contains("config:2"), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn every_malformed_line_of_a_file_is_named_in_one_error() {
        let config = "[default]\nregion = x\n\nnot a setting\n[profile a]\n[profile b\n[profile a]\nregion = y\n= z\n";
        let err = ProfileSet::parse(Path::new("~/.aws/config"), config, Path::new("c"), "").expect_err("broken");
        assert_eq!(err.code(), "config_syntax");
        let shown = err.to_string();
        assert!(
            shown.starts_with(
                "~/.aws/config: 4 malformed lines: line 4: expected `key = value`, a `[section]` or a comment; \
                 line 6: section header without closing `]`; line 7: profile `a` is defined twice (first on line 5); \
                 line 9: property without a name"
            ),
            "{shown}"
        );
        let Error::ConfigSyntaxLines { lines, .. } = err else {
            panic!("several lines: {err:?}");
        };
        assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [4, 6, 7, 9]);
    }

    #[test]
    fn one_malformed_line_keeps_the_path_and_line_shape() {
        let err =
            ProfileSet::parse(Path::new("config"), "", Path::new("credentials"), "[a]\nkey\n").expect_err("broken");
        assert!(matches!(err, Error::ConfigSyntax { line: 2, .. }), "{err:?}");
        assert!(err.to_string().starts_with("credentials:2: expected"), "{err}");
    }

    #[test]
    fn files_starting_with_a_byte_order_mark_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = AwsPaths {
            config: dir.path().join("config"),
            credentials: dir.path().join("credentials"),
        };
        std::fs::write(&paths.config, "\u{feff}[profile dev]\r\nregion = eu-west-1\r\n").expect("config");
        std::fs::write(&paths.credentials, "\u{feff}[default]\naws_access_key_id = AKIA_FAKE\n").expect("credentials");
        let set = ProfileSet::load(&paths).expect("a BOM is no syntax error");
        assert_eq!(set.names().collect::<Vec<_>>(), ["dev", "default"]);
        assert_eq!(
            set.own_setting("dev", "region").map(|s| (s.value, s.line)),
            Some(("eu-west-1", 2))
        );
        assert_eq!(set.own_setting("default", "aws_access_key_id").map(|s| s.line), Some(2));
    }

    #[test]
    fn keyring_profiles_come_after_the_files_and_change_no_file_profile() {
        let set = ProfileSet::parse(
            Path::new("config"),
            "[profile b]\nregion = x\n",
            Path::new("c"),
            "[a]\n",
        )
        .expect("parses")
        .with_keyring_profiles(["z", "a", "b", "y"]);
        assert_eq!(set.names().collect::<Vec<_>>(), ["b", "a", "z", "y"]);
        assert!(set.contains("z") && set.location("z").is_none());
        assert_eq!(set.own_setting("b", "region").map(|s| s.value), Some("x"));
        assert_eq!(set.location("a"), Some((Path::new("c"), 1)));
    }
}
