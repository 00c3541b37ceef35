//! Rolebar's own state files carry a `"version"`: it is read first, so a file of a newer layout
//! is named as such ("written by a newer Rolebar?") rather than as garbage.

/// What is wrong with a versioned file, for its owner to word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionProblem {
    /// Not JSON, or no `version`.
    Corrupt(String),
    /// A version this build does not know.
    Unknown(u32),
}

/// The file's JSON, once its `version` is `expected`.
pub fn versioned_json(bytes: &[u8], expected: u32) -> Result<serde_json::Value, VersionProblem> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| VersionProblem::Corrupt(e.to_string()))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(expected) => Ok(value),
        Some(v) => Err(VersionProblem::Unknown(u32::try_from(v).unwrap_or(u32::MAX))),
        None => Err(VersionProblem::Corrupt("no version".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_checked_before_the_layout() {
        assert!(versioned_json(br#"{"version": 1, "x": []}"#, 1).is_ok());
        assert_eq!(
            versioned_json(br#"{"version": 7, "x": 5}"#, 1),
            Err(VersionProblem::Unknown(7))
        );
        assert_eq!(
            versioned_json(br#"{"x": 1}"#, 1),
            Err(VersionProblem::Corrupt("no version".into()))
        );
        assert!(matches!(versioned_json(b"{", 1), Err(VersionProblem::Corrupt(_))));
    }
}
