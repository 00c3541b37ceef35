//! Long-term IAM user keys in the OS keyring (aws-vault's `add` / `list` / `remove`).

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::keystore::index::{Index, KeyCreated, KeyRecord};
use crate::keystore::store::SecretStore;
use crate::sensitive::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The keyring's copy of a key pair; private so nothing else can serialise a secret.
#[derive(Serialize, Deserialize)]
struct StoredKeys {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
}

/// Refuses a name no AWS tool could use as a profile: empty, with spaces around it (the config
/// files trim section names, so `[ dev ]` is `dev`), with brackets (they end a section header)
/// or with control characters (a newline would also break `rolebar list`'s table and the index's
/// one-line-per-profile views). The CLI and the tray app both check through here.
pub fn check_profile_name(name: &str) -> Result<()> {
    let reason = if name.trim().is_empty() {
        "it is empty"
    } else if name.trim() != name {
        "it starts or ends with a space"
    } else if name.chars().any(char::is_control) {
        "it holds a control character (a newline, tab…)"
    } else if name.contains(['[', ']']) {
        "it holds a bracket, which would end the `[profile …]` header in ~/.aws/config"
    } else {
        return Ok(());
    };
    Err(Error::InvalidProfileName {
        name: name.escape_debug().to_string(),
        reason,
    })
}

pub fn keys_entry(profile: &str) -> String {
    format!("keys:{profile}")
}

#[derive(Debug, Clone)]
pub struct KeyStore {
    store: Arc<dyn SecretStore>,
    index: Index,
}

impl KeyStore {
    pub fn new(store: Arc<dyn SecretStore>, index: Index) -> Self {
        KeyStore { store, index }
    }

    /// Stores (or replaces) the keys of `profile`. Only long-term keys belong here: a session
    /// token would expire and leave a dead entry behind.
    pub fn add(&self, profile: &str, keys: &Credentials, now: OffsetDateTime) -> Result<()> {
        check_profile_name(profile)?;
        let stored = StoredKeys {
            access_key_id: keys.access_key_id.clone(),
            secret_access_key: Zeroizing::new(keys.secret_access_key.expose().to_string()),
        };
        let json = serde_json::to_string(&stored)
            .map(Secret::new)
            .map_err(|e| Error::KeyringFailed {
                entry: keys_entry(profile),
                detail: e.to_string(),
            })?;
        self.store.set(&keys_entry(profile), &json)?;
        self.index.update(|data| {
            data.keys.insert(
                profile.to_string(),
                KeyRecord {
                    masked_key_id: keys.masked_key_id(),
                    added_at: now,
                },
            );
            // A creation date IAM gave for the key this one replaces would age the new key.
            if data
                .key_created
                .get(profile)
                .is_some_and(|c| c.masked_key_id != keys.masked_key_id())
            {
                data.key_created.remove(profile);
            }
        })
    }

    /// Records when IAM says the key of `profile` with `masked_key_id` was created. Ignored
    /// (`Ok(false)`) when the profile's stored key is another one by now.
    pub fn set_created(&self, profile: &str, masked_key_id: &str, created_at: OffsetDateTime) -> Result<bool> {
        self.index.update(|data| {
            let current = data.keys.get(profile).is_some_and(|k| k.masked_key_id == masked_key_id);
            if current {
                data.key_created.insert(
                    profile.to_string(),
                    KeyCreated {
                        masked_key_id: masked_key_id.to_string(),
                        created_at,
                    },
                );
            }
            current
        })
    }

    /// The age of every stored key: IAM's creation date when known, else when it was added.
    pub fn ages(&self) -> Vec<KeyAge> {
        let data = self.index.read();
        data.keys
            .iter()
            .map(|(profile, record)| {
                let created = data
                    .key_created
                    .get(profile)
                    .filter(|c| c.masked_key_id == record.masked_key_id);
                KeyAge {
                    profile: profile.clone(),
                    masked_key_id: record.masked_key_id.clone(),
                    since: created.map_or(record.added_at, |c| c.created_at),
                    known_from: if created.is_some() {
                        AgeSource::Iam
                    } else {
                        AgeSource::Added
                    },
                }
            })
            .collect()
    }

    /// The keys of `profile`, `Ok(None)` when none are stored.
    pub fn get(&self, profile: &str) -> Result<Option<Credentials>> {
        let entry = keys_entry(profile);
        let Some(secret) = self.store.get(&entry)? else {
            return Ok(None);
        };
        let stored: StoredKeys = serde_json::from_str(secret.expose()).map_err(|e| Error::KeyringFailed {
            entry: entry.clone(),
            // serde_json's message names a position, never the content.
            detail: format!("not keys Rolebar stored ({e}); store them again with `rolebar add {profile}`"),
        })?;
        Ok(Some(Credentials {
            access_key_id: stored.access_key_id,
            secret_access_key: Secret::new(stored.secret_access_key.as_str()),
            session_token: None,
        }))
    }

    /// Removes the keys of `profile`; `Ok(false)` if there were none.
    pub fn remove(&self, profile: &str) -> Result<bool> {
        let removed = self.store.delete(&keys_entry(profile))?;
        let indexed = self.index.update(|data| {
            data.key_created.remove(profile);
            data.keys.remove(profile).is_some()
        })?;
        Ok(removed || indexed)
    }

    /// Profiles with stored keys (from the index: listing needs no keyring unlock).
    pub fn list(&self) -> BTreeMap<String, KeyRecord> {
        self.index.read().keys
    }
}

/// Where a key's age comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AgeSource {
    /// IAM's CreateDate for the key (ListAccessKeys, or the reply to CreateAccessKey).
    Iam,
    /// When it was stored in the keyring: the key may be older.
    Added,
}

/// How old a stored key is, as far as Rolebar knows. Holds no key material: the masked id only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyAge {
    pub profile: String,
    pub masked_key_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    pub known_from: AgeSource,
}

impl KeyAge {
    /// Whole days since the key was created (or added), never negative (a clock set back).
    pub fn days(&self, now: OffsetDateTime) -> i64 {
        (now - self.since).whole_days().max(0)
    }

    /// "key created 2026-08-01 (121 days)", or "key added …" when IAM's date is unknown.
    pub fn describe(&self, now: OffsetDateTime) -> String {
        let what = match self.known_from {
            AgeSource::Iam => "created",
            AgeSource::Added => "added",
        };
        let date = self.since.date();
        let days = self.days(now);
        let unit = if days == 1 { "day" } else { "days" };
        format!(
            "key {what} {:04}-{:02}-{:02} ({days} {unit})",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use crate::keystore::store::MemoryStore;

    fn keys() -> (KeyStore, Arc<MemoryStore>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(MemoryStore::new());
        let ks = KeyStore::new(store.clone(), Index::at(dir.path().join("index.json")));
        (ks, store, dir)
    }

    #[test]
    fn add_get_list_remove_round_trip() {
        let (ks, _, _dir) = keys();
        let now = OffsetDateTime::UNIX_EPOCH;
        ks.add(
            "default",
            &Credentials::long_term("AKIA_FAKE_EXAMPLE_01", "s3cr3t/with+chars"),
            now,
        )
        .expect("add");
        let got = ks.get("default").expect("get").expect("present");
        assert_eq!(got.access_key_id, "AKIA_FAKE_EXAMPLE_01");
        assert_eq!(got.secret_access_key.expose(), "s3cr3t/with+chars");
        assert_eq!(ks.list()["default"].masked_key_id, "****E_01");
        assert!(ks.remove("default").expect("remove"));
        assert!(ks.get("default").expect("get").is_none());
        assert!(ks.list().is_empty());
        assert!(!ks.remove("default").expect("second remove"));
    }

    #[test]
    fn a_locked_keyring_is_a_clear_error_and_nothing_is_indexed() {
        let (ks, store, _dir) = keys();
        store.set_locked(true);
        let err = ks
            .add(
                "default",
                &Credentials::long_term("AKIA_FAKE_EXAMPLE_01", "x"),
                OffsetDateTime::UNIX_EPOCH,
            )
            .expect_err("locked");
        assert_eq!(err.code(), "keyring_locked");
        assert!(err.to_string().contains("unlock"), "{err}");
        assert!(ks.list().is_empty());
    }

    #[test]
    fn names_no_aws_tool_could_use_are_refused_before_anything_is_stored() {
        let (ks, store, _dir) = keys();
        let keys = Credentials::long_term("AKIA_FAKE_EXAMPLE_01", "x");
        for (name, says) in [
            ("", "empty"),
            ("   ", "empty"),
            (" dev", "space"),
            ("dev\t", "space"),
            ("dev\nprod", "control character"),
            ("dev\u{7}", "control character"),
            ("dev\u{9b}x", "control character"),
            ("a]b", "bracket"),
        ] {
            let err = ks.add(name, &keys, OffsetDateTime::UNIX_EPOCH).expect_err(name);
            assert_eq!(err.code(), "invalid_profile_name", "{name:?}");
            let message = err.to_string();
            assert!(message.contains(says), "{name:?}: {message}");
            assert!(!message.contains('\n') && !message.contains('\u{7}'), "{message:?}");
        }
        assert!(ks.list().is_empty());
        assert!(store.get(&keys_entry("")).expect("get").is_none());
        for name in ["開発-dev", "oppara-dev", "team/dev.admin@x", "with inner space"] {
            ks.add(name, &keys, OffsetDateTime::UNIX_EPOCH).expect(name);
        }
    }

    #[test]
    fn a_key_age_is_iams_date_until_the_key_is_replaced() {
        let (ks, _, _dir) = keys();
        let added = time::macros::datetime!(2026-09-01 00:00 UTC);
        let created = time::macros::datetime!(2026-08-01 00:00 UTC);
        ks.add("default", &Credentials::long_term("AKIA_FAKE_EXAMPLE_01", "x"), added)
            .expect("add");
        assert_eq!(ks.ages()[0].known_from, AgeSource::Added);
        assert!(!ks.set_created("default", "****OTHR", created).expect("other key"));
        assert!(ks.set_created("default", "****E_01", created).expect("set"));
        assert_eq!((ks.ages()[0].since, ks.ages()[0].known_from), (created, AgeSource::Iam));
        ks.add("default", &Credentials::long_term("AKIA_FAKE_EXAMPLE_02", "y"), added)
            .expect("replace");
        assert_eq!((ks.ages()[0].since, ks.ages()[0].known_from), (added, AgeSource::Added));
        let now = time::macros::datetime!(2026-09-02 12:00 UTC);
        assert_eq!(ks.ages()[0].describe(now), "key added 2026-09-01 (1 day)");
    }

    #[test]
    fn the_index_holds_no_secret() {
        let (ks, _, dir) = keys();
        ks.add(
            "default",
            &Credentials::long_term("AKIA_FAKE_EXAMPLE_01", "TOPSECRETVALUE"),
            OffsetDateTime::UNIX_EPOCH,
        )
        .expect("add");
        let text = std::fs::read_to_string(dir.path().join("index.json")).expect("index");
        assert!(
            !text.contains("TOPSECRETVALUE") && !text.contains("AKIA_FAKE_EXAMPLE_01"),
            "{text}"
        );
    }
}
