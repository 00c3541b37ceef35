//! aws-vault's `secret-service` backend (99designs/keyring over gsterjov/go-libsecret): the
//! collection whose D-Bus path is `/org/freedesktop/secrets/collection/<name>` (`_XX`-decoded,
//! as keyring compares it; users often set it to `login` to skip the second
//! keyring password), one item per key with the key as label and attribute
//! `profile=<key>`, secret `application/json`: the keyring item's JSON. Only read here.

use super::items::{kind_of, parse_item, skip_or_read, BackendItems, Content, ImportError, Kind, ListedKeys, Wanted};
use secret_service::blocking::{Collection, SecretService};
use secret_service::EncryptionType;

const COLLECTION_PATH: &str = "/org/freedesktop/secrets/collection/";

pub(super) fn read(name: &str, wanted: &Wanted<'_>) -> Result<BackendItems, ImportError> {
    let fail = |e: secret_service::Error| ImportError::SecretService {
        collection: name.to_string(),
        detail: e.to_string(),
    };
    let service = match SecretService::connect(EncryptionType::Dh) {
        Ok(s) => s,
        // No Secret Service here: aws-vault could not have used this backend.
        Err(_) => return Ok(None),
    };
    let Some(collection) = find_collection(&service, name).map_err(fail)? else {
        return Ok(None);
    };
    collection.ensure_unlocked().map_err(fail)?;
    let mut items = Vec::new();
    for item in collection.get_all_items().map_err(fail)? {
        // keyring's Keys(): the labels; an item whose label cannot be read is left out there too.
        let Ok(label) = item.get_label() else { continue };
        if !is_aws_vaults(&item, &label) {
            continue;
        }
        if let Some(skip) = skip_or_read(&label, wanted) {
            items.push((label, skip));
            continue;
        }
        let content = match item.get_secret() {
            Ok(secret) => parse_item(&zeroize::Zeroizing::new(secret)),
            Err(e) => Content::Unreadable(format!("the keyring did not give its secret: {e}")),
        };
        items.push((label, content));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Some((format!("Secret Service collection `{name}`"), items)))
}

/// aws-vault's key profiles in the collection `name`, by the items' labels, which a collection
/// gives without being unlocked (its secrets it does not): nothing is unlocked and no secret
/// crosses the bus. `None`: no Secret Service, no such collection, or nothing in it to offer (a
/// locked collection that lists nothing may still hold keys: it is listed, as locked).
pub(super) fn list_keys(name: &str) -> Option<ListedKeys> {
    let service = SecretService::connect(EncryptionType::Plain).ok()?;
    let collection = find_collection(&service, name).ok()??;
    let locked = collection.is_locked().unwrap_or(true);
    let mut profiles: Vec<String> = match collection.get_all_items() {
        Ok(items) => items
            .iter()
            .filter_map(|item| {
                let label = item.get_label().ok()?;
                (is_aws_vaults(item, &label) && kind_of(&label) == Kind::Keys).then_some(label)
            })
            .collect(),
        Err(e) => {
            tracing::debug!("aws-vault's Secret Service collection not listed: {e}");
            Vec::new()
        }
    };
    profiles.sort();
    (!profiles.is_empty() || locked).then_some(ListedKeys { profiles, locked })
}

/// The collection whose `_XX`-decoded D-Bus path ends in `name`, as keyring finds it.
fn find_collection<'a>(
    service: &'a SecretService,
    name: &str,
) -> Result<Option<Collection<'a>>, secret_service::Error> {
    let wanted_path = format!("{COLLECTION_PATH}{name}");
    Ok(service
        .get_all_collections()?
        .into_iter()
        .find(|c| decode_path(c.collection_path.as_str()) == wanted_path))
}

/// go-libsecret gives every item the attribute `profile=<label>`: an item without it is another
/// program's (the collection may be `login`, shared with everything).
fn is_aws_vaults(item: &secret_service::blocking::Item<'_>, label: &str) -> bool {
    item.get_attributes()
        .is_ok_and(|a| a.get("profile").map(String::as_str) == Some(label))
}

/// keyring's decodeKeyringString: `_XX` is the byte 0xXX (gnome-keyring escapes names so).
fn decode_path(src: &str) -> String {
    let bytes = src.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'_' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let Some(byte) = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
        else {
            return src.to_string();
        };
        out.push(byte);
        i += 3;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn collection_paths_are_decoded_as_keyring_does() {
        assert_eq!(
            super::decode_path("/org/freedesktop/secrets/collection/awsvault"),
            "/org/freedesktop/secrets/collection/awsvault"
        );
        assert_eq!(super::decode_path("/c/aws_2dvault"), "/c/aws-vault");
        assert_eq!(super::decode_path("/c/bad_zz"), "/c/bad_zz");
    }
}
