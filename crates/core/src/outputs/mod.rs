//! The ways a session leaves Rolebar for other tools:
//!
//! - [`credentials_file`]: written into a profile of `~/.aws/credentials`, marked as Rolebar's,
//!   with every other byte of the file kept;
//! - [`exports`]: lines to paste into a shell, in the formats of
//!   `aws configure export-credentials --format`;
//! - [`credential_process`]: the JSON the AWS CLI reads from a `credential_process` command.
//!
//! Secret values are read ([`crate::Secret::expose`]) only where the text is put together, and
//! every buffer holding them is a `Zeroizing` one, wiped when dropped.

pub mod credential_process;
pub mod credentials_file;
pub mod error;
pub mod exports;

pub use credentials_file::{
    check_write, default_credentials_path, refresh_profile, remove_expired, remove_profile, remove_profile_of,
    rolebar_sections, write_profile, Durability, Placement, RolebarSection, WriteOptions, WriteReport,
};
pub use error::OutputError;
pub use exports::{export_lines, ExportFormat};

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use zeroize::Zeroizing;

/// `2026-05-01T12:00:00Z`: RFC 3339 in UTC, whole seconds (STS hands out whole seconds; cutting
/// a fraction makes the time earlier, never later, so nothing is trusted for longer than it is valid).
pub(crate) fn rfc3339_utc(at: OffsetDateTime) -> Result<String, OutputError> {
    at.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .map_err(|source| OutputError::TimeFormat { source })
}

/// Text holding secrets, built in one allocation of the final size so that no copy of it is left
/// behind in a freed, unwiped buffer by a reallocation.
pub(crate) fn zeroizing_concat<'a>(pieces: impl Iterator<Item = &'a str> + Clone) -> Zeroizing<String> {
    let len = pieces.clone().map(str::len).sum();
    let mut text = Zeroizing::new(String::with_capacity(len));
    for piece in pieces {
        text.push_str(piece);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_utc_whole_seconds_with_z() {
        let at = datetime!(2026-05-01 21:00:00.75 +09:00);
        assert_eq!(rfc3339_utc(at).expect("formats"), "2026-05-01T12:00:00Z");
    }

    #[test]
    fn concat_allocates_once() {
        let parts = ["ab", "", "cde"];
        let text = zeroizing_concat(parts.iter().copied());
        assert_eq!(text.as_str(), "abcde");
        assert_eq!(text.capacity(), 5);
    }
}
