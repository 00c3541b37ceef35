//! Text put together for the outputs: times as the AWS tools write them, and secret-holding
//! strings built without leaving copies behind.

use super::error::OutputError;
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
