//! Adding a profile to `~/.aws/config` (the account and role browser's "Add profile"): the new
//! section is appended at the end and every other byte of the file is kept, as the credentials
//! writer keeps them. Written through [`private_file`] (atomic, locked; FIFOs and the like refused).

use super::{config_profile_name, ini};
use crate::error::{Error, Result};
use crate::private_file::{self, Durability, KnownFile, Missing};
use std::path::Path;
use zeroize::Zeroizing;

/// A profile for one role of an IAM Identity Center sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSsoProfile<'a> {
    pub name: &'a str,
    /// The `[sso-session NAME]` the profile signs in with.
    pub sso_session: &'a str,
    pub account_id: &'a str,
    pub role_name: &'a str,
    pub region: Option<&'a str>,
}

/// Appends `[profile NAME]` for `new` to the config file at `path` (created when missing). A name
/// the file already has is refused with where it is; nothing is written then.
pub fn append_sso_profile(path: &Path, new: &NewSsoProfile<'_>) -> Result<()> {
    check_value("profile name", new.name)?;
    for (what, value) in [
        ("sso-session", new.sso_session),
        ("account id", new.account_id),
        ("role name", new.role_name),
        ("region", new.region.unwrap_or("-")),
    ] {
        check_value(what, value)?;
    }
    private_file::update(path, KnownFile::CONFIG, Missing::Create, Durability::Fsync, |bytes| {
        let text = match bytes.map(std::str::from_utf8) {
            None => "",
            Some(Ok(text)) => text,
            Some(Err(_)) => {
                return Err(Error::Read {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8 text"),
                })
            }
        };
        // A file that does not parse is not appended to: the user fixes it first.
        let parsed = ini::parse(path, text).map_err(|lines| Error::ConfigSyntaxLines {
            path: path.to_path_buf(),
            lines,
        })?;
        if let Some(existing) = parsed
            .sections
            .iter()
            .find(|s| config_profile_name(&s.header).as_deref() == Some(new.name))
        {
            return Err(Error::ProfileExists {
                profile: new.name.to_string(),
                path: path.to_path_buf(),
                line: existing.line,
            });
        }
        let mut out = String::with_capacity(text.len() + 160);
        out.push_str(text);
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
        }
        let header = if new.name.contains(char::is_whitespace) {
            format!("[profile \"{}\"]\n", new.name)
        } else {
            format!("[profile {}]\n", new.name)
        };
        out.push_str(&header);
        out.push_str(&format!("sso_session = {}\n", new.sso_session));
        out.push_str(&format!("sso_account_id = {}\n", new.account_id));
        out.push_str(&format!("sso_role_name = {}\n", new.role_name));
        if let Some(region) = new.region {
            out.push_str(&format!("region = {region}\n"));
        }
        Ok((Some(Zeroizing::new(out.into_bytes())), ()))
    })?;
    Ok(())
}

/// A value that would break the file's lines or sections is refused, not escaped: the AWS CLI
/// has no escapes either.
fn check_value(what: &'static str, value: &str) -> Result<()> {
    let bad = value.trim().is_empty()
        || value != value.trim()
        || value
            .chars()
            .any(|c| c.is_control() || matches!(c, '[' | ']' | '"' | '#' | ';'));
    if bad {
        return Err(Error::InvalidNewProfile {
            what,
            value: value.escape_debug().to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;

    fn new<'a>(name: &'a str) -> NewSsoProfile<'a> {
        NewSsoProfile {
            name,
            sso_session: "corp",
            account_id: "111111111111",
            role_name: "ReadOnly",
            region: Some("eu-west-1"),
        }
    }

    #[test]
    fn the_profile_is_appended_and_every_other_byte_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        let before = "# mine\r\n[default]\r\nregion = us-east-1 ; a comment\r\n[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1";
        std::fs::write(&path, before).expect("config");
        append_sso_profile(&path, &new("corp-readonly")).expect("appended");
        let after = std::fs::read_to_string(&path).expect("read");
        assert_eq!(
            after,
            format!(
                "{before}\n\n[profile corp-readonly]\nsso_session = corp\nsso_account_id = 111111111111\n\
                 sso_role_name = ReadOnly\nregion = eu-west-1\n"
            )
        );
        let err = append_sso_profile(&path, &new("corp-readonly")).expect_err("there already");
        assert_eq!(err.code(), "profile_exists");
        assert!(err.to_string().contains("line 8"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), after, "nothing written");
    }

    #[test]
    fn a_missing_file_is_created_and_bad_names_or_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("aws").join("config");
        append_sso_profile(&path, &new("first")).expect("created");
        assert!(std::fs::read_to_string(&path)
            .expect("read")
            .starts_with("[profile first]\n"));
        for name in ["", "a]b", "x\ny", " lead"] {
            let err = append_sso_profile(&path, &new(name)).expect_err(name);
            assert_eq!(err.code(), "invalid_setting", "{name:?}: {err}");
        }
        let broken = dir.path().join("broken");
        std::fs::write(&broken, "[profile a\n").expect("broken");
        append_sso_profile(&broken, &new("b")).expect_err("does not parse");
        assert_eq!(std::fs::read_to_string(&broken).expect("read"), "[profile a\n");
    }
}
