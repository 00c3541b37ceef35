//! Telling Rolebar's own output apart from the user's profiles: a credentials-file section
//! marked `manager = rolebar` holds a session Rolebar wrote (see
//! [`crate::outputs::credentials_file`]), i.e. temporary credentials. It looks like a profile with
//! keys, but getting a session from it would call STS with session credentials (refused by AWS,
//! and never what the user meant), so resolution refuses it and front ends list it as written.

use super::ProfileSet;
use crate::error::Error;
use crate::outputs::credentials_file::{EXPIRATION_KEY, MANAGER_KEY, MANAGER_VALUE, SOURCE_KEY};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A profile whose credentials-file section Rolebar wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenSection {
    /// The profile whose session it holds (`rolebar_source_profile`; absent in sections written
    /// before Rolebar recorded it).
    pub source_profile: Option<String>,
    /// `rolebar_expiration`, when readable.
    pub expires_at: Option<OffsetDateTime>,
}

impl WrittenSection {
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

impl ProfileSet {
    /// `Some` when `name`'s credentials-file section carries `manager = rolebar`.
    pub fn written_section(&self, name: &str) -> Option<WrittenSection> {
        let (_, credentials) = self.sections(name)?;
        let section = credentials?;
        let manager = section.get(MANAGER_KEY)?;
        if !manager.value.eq_ignore_ascii_case(MANAGER_VALUE) {
            return None;
        }
        Some(WrittenSection {
            source_profile: section.get(SOURCE_KEY).map(|p| p.value.clone()),
            expires_at: section
                .get(EXPIRATION_KEY)
                .and_then(|p| OffsetDateTime::parse(&p.value, &Rfc3339).ok()),
        })
    }

    /// The refusal for using a written section as a profile (directly or as a `source_profile`):
    /// says what it is and what to use instead.
    pub(crate) fn written_error(&self, name: &str, written: &WrittenSection) -> Error {
        let file = self.credentials_path().display();
        let from = written
            .source_profile
            .as_deref()
            .map(|s| format!(" from `{s}`"))
            .unwrap_or_default();
        // No clock here (resolution is pure): the end is given, not whether it has passed.
        let when = written
            .expires_at
            .map(|at| format!(" (its credentials end at {})", rfc3339(at)))
            .unwrap_or_default();
        let instead = match &written.source_profile {
            Some(source) => format!(
                "Use `{source}` instead (e.g. `rolebar exec {source} -- …`), or give `--profile {name}` to the AWS CLI, which reads the section itself; `rolebar logout {name}` takes it back."
            ),
            None => format!(
                "Give `--profile {name}` to the AWS CLI, which reads the section itself; `rolebar logout {name}` takes it back."
            ),
        };
        Error::WrittenByRolebar {
            profile: name.to_string(),
            what: format!("a session Rolebar wrote to {file}{from}{when}"),
            instead,
        }
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use crate::profile::resolve::Environment;
    use std::path::Path;
    use time::macros::datetime;

    const CONFIG: &str = "[profile oppara-dev]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n\n\
        [profile uses-written]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = oppara-dev-session\n";
    const CREDENTIALS: &str = "[oppara-dev]\naws_access_key_id = AKIAEXAMPLEEXAMPLE\naws_secret_access_key = s\n\n\
        [oppara-dev-session]\naws_access_key_id = ASIAEXAMPLEEXAMPLE\naws_secret_access_key = s\naws_session_token = t\n\
        manager = rolebar\nrolebar_expiration = 2026-05-01T12:00:00Z\nrolebar_source_profile = oppara-dev\n\n\
        [awsume-made]\naws_access_key_id = ASIAEXAMPLEEXAMPLE\naws_secret_access_key = s\naws_session_token = t\nmanager = awsume\n";

    fn set() -> ProfileSet {
        ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), CREDENTIALS).expect("parses")
    }

    #[test]
    fn a_section_marked_manager_rolebar_is_known_as_written_with_its_source_and_end() {
        let set = set();
        let written = set.written_section("oppara-dev-session").expect("Rolebar's");
        assert_eq!(written.source_profile.as_deref(), Some("oppara-dev"));
        assert_eq!(written.expires_at, Some(datetime!(2026-05-01 12:00 UTC)));
        assert!(!written.is_expired(datetime!(2026-05-01 11:59 UTC)));
        assert!(written.is_expired(datetime!(2026-05-01 12:00 UTC)));
        for other in ["oppara-dev", "awsume-made", "uses-written", "missing"] {
            assert_eq!(set.written_section(other), None, "{other}");
        }
    }

    #[test]
    fn resolving_a_written_section_is_refused_saying_what_it_is_and_what_to_use() {
        let err = set()
            .resolve_with("oppara-dev-session", &Environment::default())
            .expect_err("session credentials are not long-term keys");
        assert_eq!(err.code(), "written_by_rolebar");
        let message = err.to_string();
        for part in [
            "`oppara-dev-session` is a session Rolebar wrote to credentials from `oppara-dev`",
            "2026-05-01T12:00:00Z",
            "not long-term keys",
            "rolebar exec oppara-dev",
            "--profile oppara-dev-session",
            "rolebar logout oppara-dev-session",
        ] {
            assert!(message.contains(part), "{part:?} in {message}");
        }
    }

    #[test]
    fn a_written_section_is_no_source_profile_either() {
        let err = set()
            .resolve_with("uses-written", &Environment::default())
            .expect_err("a role over session credentials");
        assert_eq!(err.code(), "written_by_rolebar");
        // Another tool's session section is left to what it always was.
        set()
            .resolve_with("awsume-made", &Environment::default())
            .expect("not Rolebar's");
    }
}
