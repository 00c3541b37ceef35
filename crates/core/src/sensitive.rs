//! `Secret`: a string that never shows in logs, errors or serialised output, and is wiped on drop.

use std::fmt;
use zeroize::Zeroizing;

/// A secret value (secret access key, session token, key material).
///
/// `Debug`/`Display` print a placeholder and there is deliberately no `Serialize`:
/// the only way to read the value is [`Secret::expose`], which makes every use greppable.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself. Call only to hand it to AWS, the keyring, or an output the user asked for.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An access key id shortened the way aws-vault logs it: enough to tell keys apart, not to use one.
pub fn mask_key_id(key_id: &str) -> String {
    let visible: String = key_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if key_id.chars().count() <= 8 {
        "****".to_string()
    } else {
        format!("****{visible}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("wJalrXUtnFEMI/K7MDENG");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "wJalrXUtnFEMI/K7MDENG");
    }

    #[test]
    fn key_ids_are_masked_to_their_last_four() {
        assert_eq!(mask_key_id("AKIA_FAKE_EXAMPLE_01"), "****E_01");
        assert_eq!(mask_key_id("short"), "****");
    }
}
