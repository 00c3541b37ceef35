//! aws-vault's `secret-service` backend (99designs/keyring over gsterjov/go-libsecret): the
//! collection whose D-Bus path is `/org/freedesktop/secrets/collection/<name>` (`_XX`-decoded,
//! as keyring compares it; users often set it to `login` to skip the second
//! keyring password), one item per key with the key as label and attribute
//! `profile=<key>`, secret `application/json`: the keyring item's JSON. Only read here.

use super::items::{parse_item, skip_or_read, BackendItems, Content, ImportError, Wanted};
use secret_service::blocking::SecretService;
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
    let collections = service.get_all_collections().map_err(fail)?;
    let wanted_path = format!("{COLLECTION_PATH}{name}");
    let Some(collection) = collections
        .into_iter()
        .find(|c| decode_path(c.collection_path.as_str()) == wanted_path)
    else {
        return Ok(None);
    };
    collection.ensure_unlocked().map_err(fail)?;
    let mut items = Vec::new();
    for item in collection.get_all_items().map_err(fail)? {
        // keyring's Keys(): the labels; an item whose label cannot be read is left out there too.
        let Ok(label) = item.get_label() else { continue };
        // go-libsecret gives every item the attribute `profile=<label>`: an item without it is
        // another program's (the collection may be `login`, shared with everything).
        if !item.get_attributes().is_ok_and(|a| a.get("profile") == Some(&label)) {
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
