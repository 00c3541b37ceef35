//! Where a profile's MFA codes may come from besides the user's typing: `mfa_process` (as
//! aws-vault reads it) and a YubiKey OATH credential through `ykman` (Rolebar's own keys
//! `rolebar_ykman`, `rolebar_ykman_device`, `rolebar_ykman_name`), read and checked with the
//! file and line of each value, and inherited from a `source_profile` that uses the same device.

use super::{ProfileView, Setting};
use crate::error::Result;
use std::path::PathBuf;

/// The config keys, named once for the reader and the messages.
pub const MFA_PROCESS: &str = "mfa_process";
pub const YKMAN: &str = "rolebar_ykman";
pub const YKMAN_DEVICE: &str = "rolebar_ykman_device";
pub const YKMAN_NAME: &str = "rolebar_ykman_name";

/// A profile's code sources as they apply to it (its own, else inherited).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaSourceSettings {
    pub process: Option<MfaProcess>,
    pub ykman: Option<YkmanSettings>,
    /// `rolebar_ykman = false` here or where `ykman` would be inherited from: not even
    /// settings.json's `mfa_ykman` turns ykman on for this profile.
    pub ykman_off: bool,
}

/// `mfa_process = COMMAND`: a shell command printing the current code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaProcess {
    pub command: String,
    /// The profile it is written in (perhaps a source profile of the one asked for).
    pub profile: String,
    pub path: PathBuf,
    pub line: usize,
}

/// `rolebar_ykman = true`: the code of an OATH credential on a YubiKey, read with `ykman`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YkmanSettings {
    /// `rolebar_ykman_device`: the key's serial, when several keys may be plugged in.
    pub device: Option<String>,
    /// `rolebar_ykman_name`: the OATH credential's name; unset means the device's mfa_serial
    /// (what `ykman oath accounts add` is usually given when the ARN is registered).
    pub name: Option<String>,
    /// The profile it is written in.
    pub profile: String,
}

/// One key's own state in one profile: an explicit "off" stops inheritance, unset inherits.
#[derive(Debug)]
enum Own<T> {
    Unset,
    Off,
    On(T),
}

impl<T: Clone> Own<T> {
    fn or_inherited(self, inherited: Option<&T>) -> Option<T> {
        match self {
            Own::On(v) => Some(v),
            Own::Off => None,
            Own::Unset => inherited.cloned(),
        }
    }
}

/// A profile's own settings, before inheritance.
#[derive(Debug)]
pub(crate) struct OwnSettings {
    process: Own<MfaProcess>,
    ykman: Own<YkmanSettings>,
}

impl OwnSettings {
    /// Reads and checks the four keys of `view` (`include_profile` honoured, as for every key).
    pub(crate) fn read(view: &ProfileView<'_>) -> Result<Self> {
        let name = view.name();
        let process = match view.get(MFA_PROCESS)? {
            None => Own::Unset,
            // Written empty: "none here", which also stops a source profile's from applying.
            Some(s) if s.value.trim().is_empty() => Own::Off,
            Some(s) => Own::On(MfaProcess {
                command: s.value.trim().to_string(),
                profile: name.to_string(),
                path: s.path.to_path_buf(),
                line: s.line,
            }),
        };
        let enabled = match view.get(YKMAN)? {
            None => None,
            Some(s) => Some(parse_bool(s).ok_or_else(|| s.invalid(name, YKMAN, "expected `true` or `false`"))?),
        };
        let device = match view.get(YKMAN_DEVICE)? {
            None => None,
            Some(s) if !s.value.is_empty() && s.value.bytes().all(|b| b.is_ascii_digit()) => Some(s),
            Some(s) => {
                return Err(s.invalid(
                    name,
                    YKMAN_DEVICE,
                    "expected the YubiKey's serial number, digits only (`ykman list --serials`)",
                ))
            }
        };
        let credential = match view.get(YKMAN_NAME)? {
            None => None,
            Some(s) if !s.value.trim().is_empty() && !s.value.chars().any(char::is_control) => Some(s),
            Some(s) => {
                return Err(s.invalid(
                    name,
                    YKMAN_NAME,
                    "expected the OATH credential's name as `ykman oath accounts list` shows it",
                ))
            }
        };
        let ykman = match enabled {
            Some(false) => {
                // A device or name beside an explicit `false` is a contradiction the user should see.
                if let Some(s) = device.or(credential) {
                    let key = if device.is_some() { YKMAN_DEVICE } else { YKMAN_NAME };
                    return Err(s.invalid(
                        name,
                        key,
                        "`rolebar_ykman = false` turns ykman off for this profile: remove this line or set it to true",
                    ));
                }
                Own::Off
            }
            // A device or a name alone asks for ykman as clearly as `rolebar_ykman = true`.
            Some(true) => Own::On(()),
            None if device.is_some() || credential.is_some() => Own::On(()),
            None => Own::Unset,
        };
        let ykman = match ykman {
            Own::On(()) => Own::On(YkmanSettings {
                device: device.map(|s| s.value.to_string()),
                name: credential.map(|s| s.value.trim().to_string()),
                profile: name.to_string(),
            }),
            Own::Off => Own::Off,
            Own::Unset => Own::Unset,
        };
        Ok(OwnSettings { process, ykman })
    }

    /// The settings that apply: each key's own value, else `inherited`'s (given only when the
    /// source profile's device is this profile's: its command makes codes for that device).
    pub(crate) fn over(self, inherited: Option<&MfaSourceSettings>) -> MfaSourceSettings {
        let ykman_off = match self.ykman {
            Own::Off => true,
            Own::On(_) => false,
            Own::Unset => inherited.is_some_and(|i| i.ykman_off),
        };
        MfaSourceSettings {
            process: self.process.or_inherited(inherited.and_then(|i| i.process.as_ref())),
            ykman: self.ykman.or_inherited(inherited.and_then(|i| i.ykman.as_ref())),
            ykman_off,
        }
    }
}

fn parse_bool(s: Setting<'_>) -> Option<bool> {
    match s.value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::error_code::HasCode;
    use crate::profile::resolve::Environment;
    use crate::profile::{CredentialSource, ProfileSet, ResolvedProfile};
    use std::path::Path;

    const CONFIG: &str = "\
[profile base]
mfa_serial = arn:aws:iam::111111111111:mfa/alice
mfa_process = pass otp aws/alice

[profile dev]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/dev
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile dev-own]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/dev
mfa_serial = arn:aws:iam::111111111111:mfa/alice
mfa_process = my-otp dev

[profile other-device]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/audit
mfa_serial = arn:aws:iam::111111111111:mfa/security-key

[profile no-inherit]
source_profile = base
role_arn = arn:aws:iam::222222222222:role/dev
mfa_process =

[profile yk]
source_profile = base
role_arn = arn:aws:iam::333333333333:role/yk
mfa_serial = arn:aws:iam::111111111111:mfa/yk
rolebar_ykman_device = 12345678

[profile yk-chained]
source_profile = yk
role_arn = arn:aws:iam::444444444444:role/chained
";

    fn resolve(config: &str, name: &str) -> crate::Result<ResolvedProfile> {
        ProfileSet::parse(Path::new("config"), config, Path::new("credentials"), "[base]\n")
            .expect("parses")
            .resolve_with(name, &Environment::default())
    }

    fn process_of(name: &str) -> Option<(String, String, usize)> {
        resolve(CONFIG, name)
            .expect("resolves")
            .mfa_sources
            .process
            .map(|p| (p.command, p.profile, p.line))
    }

    #[test]
    fn mfa_process_is_read_with_where_it_is_written() {
        assert_eq!(
            process_of("base"),
            Some(("pass otp aws/alice".into(), "base".into(), 3))
        );
        assert_eq!(process_of("dev-own"), Some(("my-otp dev".into(), "dev-own".into(), 14)));
    }

    #[test]
    fn a_role_on_the_same_device_inherits_its_source_profiles_mfa_process() {
        assert_eq!(process_of("dev"), Some(("pass otp aws/alice".into(), "base".into(), 3)));
        // No mfa_serial of its own: the role's device is its source's, so is its command.
        let p = resolve(CONFIG, "no-inherit").expect("resolves");
        assert_eq!(p.mfa_serial(), Some("arn:aws:iam::111111111111:mfa/alice"));
        assert_eq!(p.mfa_sources.process, None, "written empty: not inherited");
    }

    #[test]
    fn a_role_with_another_device_does_not_inherit_a_command_made_for_the_sources_device() {
        assert_eq!(process_of("other-device"), None);
        // …but the source level in its chain keeps its own, for the code asked for that device.
        let p = resolve(CONFIG, "other-device").expect("resolves");
        let CredentialSource::Role(role) = &p.source else {
            panic!("a role")
        };
        assert!(role.source.mfa_sources.process.is_some());
    }

    #[test]
    fn a_ykman_device_alone_turns_ykman_on_and_chains_inherit_it() {
        for name in ["yk", "yk-chained"] {
            let p = resolve(CONFIG, name).expect("resolves");
            let yk = p.mfa_sources.ykman.expect("ykman");
            assert_eq!(
                (yk.device.as_deref(), yk.name, yk.profile.as_str()),
                (Some("12345678"), None, "yk")
            );
        }
        assert_eq!(resolve(CONFIG, "dev").expect("resolves").mfa_sources.ykman, None);
    }

    #[test]
    fn bad_values_are_refused_with_file_and_line() {
        let cases = [
            ("rolebar_ykman = maybe\n", "rolebar_ykman", "true"),
            ("rolebar_ykman_device = YK-1\n", "rolebar_ykman_device", "digits only"),
            (
                "rolebar_ykman_name =   \n",
                "rolebar_ykman_name",
                "ykman oath accounts list",
            ),
            (
                "rolebar_ykman = false\nrolebar_ykman_device = 1\n",
                "rolebar_ykman_device",
                "turns ykman off",
            ),
        ];
        for (lines, key, reason) in cases {
            let config = format!("[profile base]\nmfa_serial = arn:aws:iam::1:mfa/a\n{lines}");
            let err = resolve(&config, "base").expect_err(lines);
            assert_eq!(err.code(), "invalid_setting", "{lines}");
            let shown = err.to_string();
            let line = if lines.contains("false") { 4 } else { 3 };
            assert!(
                shown.contains(key) && shown.contains(&format!("config line {line}")) && shown.contains(reason),
                "{shown}"
            );
        }
    }
}
