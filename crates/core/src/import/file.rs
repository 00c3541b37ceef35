//! aws-vault's `file` backend: one file per item in `~/.awsvault/keys/`, named by the item's key
//! percent-encoded (mtibben/percent, `/` and `%` escaped), holding a compact JWE that
//! 99designs/keyring writes with jose2go: `alg` PBES2-HS256+A128KW (PBKDF2-HMAC-SHA256 over the
//! passphrase, salt `alg || 0 || p2s`, `p2c` rounds, 8192 by jose2go), `enc` A256GCM, and the
//! protected header as the additional data. Only these parameters are accepted: they are all
//! aws-vault ever wrote.

use super::items::{parse_item, skip_or_read, BackendItems, Content, ImportError, PassphraseFn, Wanted};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use serde::Deserialize;
use std::path::Path;
use zeroize::Zeroizing;

/// jose2go writes 8192; far more would make a crafted file a way to hang the import.
const MAX_ROUNDS: u32 = 10_000_000;
/// A key file holds a few hundred bytes; more is not aws-vault's.
const MAX_FILE: u64 = 64 * 1024;

pub(super) fn read(
    dir: &Path,
    wanted: &Wanted<'_>,
    passphrase: &mut PassphraseFn<'_>,
) -> Result<BackendItems, ImportError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ImportError::FileDir {
                dir: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| ImportError::FileDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            if let Some(name) = entry.file_name().to_str() {
                files.push((percent_decode(name), entry.path()));
            }
        }
    }
    files.sort();
    let mut pass: Option<Zeroizing<String>> = None;
    let mut items = Vec::new();
    for (name, path) in files {
        if let Some(skip) = skip_or_read(&name, wanted) {
            items.push((name, skip));
            continue;
        }
        let token = match read_small(&path) {
            Ok(t) => t,
            Err(e) => {
                items.push((
                    name,
                    Content::Unreadable(format!("cannot read {}: {e}", path.display())),
                ));
                continue;
            }
        };
        if pass.is_none() {
            pass = Some(Zeroizing::new(passphrase(dir)?.expose().to_string()));
        }
        let pass = pass.as_deref().map(String::as_str).unwrap_or_default();
        match decrypt(token.trim(), pass) {
            Ok(payload) => items.push((name, parse_item(&payload))),
            Err(JweError::Authentication) => return Err(ImportError::WrongPassphrase { path }),
            Err(JweError::Format(why)) => {
                items.push((name, Content::Unreadable(format!("not aws-vault's key file: {why}"))))
            }
        }
    }
    Ok(Some((dir.display().to_string(), items)))
}

fn read_small(path: &Path) -> std::io::Result<Zeroizing<String>> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?.take(MAX_FILE).read_to_string(&mut text)?;
    Ok(Zeroizing::new(text))
}

/// percent.Decode: `%XX` back to the byte; anything else as is.
fn percent_decode(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JweError {
    /// Not a JWE aws-vault wrote (the reason names no secret).
    Format(String),
    /// The key did not unwrap or the tag did not match: a wrong passphrase (or a changed file).
    Authentication,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    #[serde(default)]
    p2s: Option<String>,
    #[serde(default)]
    p2c: Option<f64>,
    #[serde(default)]
    zip: Option<String>,
}

/// Decrypts a compact JWE with PBES2-HS256+A128KW and A256GCM.
pub(crate) fn decrypt(token: &str, passphrase: &str) -> Result<Zeroizing<Vec<u8>>, JweError> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let fmt = |why: &str| JweError::Format(why.to_string());
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, wrapped, iv, ciphertext, tag] = parts[..] else {
        return Err(fmt("not a compact JWE (five parts)"));
    };
    let header: Header = b64
        .decode(header_b64)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or_else(|| fmt("its header is not JSON"))?;
    if header.alg != "PBES2-HS256+A128KW" || header.enc != "A256GCM" || header.zip.is_some() {
        return Err(JweError::Format(format!(
            "alg {} / enc {} (aws-vault writes PBES2-HS256+A128KW / A256GCM, uncompressed)",
            header.alg, header.enc
        )));
    }
    let (Some(p2s), Some(p2c)) = (header.p2s.as_deref(), header.p2c) else {
        return Err(fmt("its header has no p2s/p2c"));
    };
    if !(p2c >= 1.0 && p2c <= f64::from(MAX_ROUNDS) && p2c.fract() == 0.0) {
        return Err(fmt("its PBKDF2 round count is out of range"));
    }
    let rounds = p2c as u32;
    let decode = |s: &str, what: &str| {
        b64.decode(s)
            .map_err(|_| JweError::Format(format!("its {what} is not base64url")))
    };
    let p2s = decode(p2s, "salt")?;
    let wrapped = decode(wrapped, "wrapped key")?;
    let iv = decode(iv, "IV")?;
    let mut sealed = decode(ciphertext, "ciphertext")?;
    sealed.extend(decode(tag, "tag")?);
    let iv: [u8; 12] = iv.as_slice().try_into().map_err(|_| fmt("its IV is not 12 bytes"))?;
    if wrapped.len() != 40 {
        return Err(fmt("its wrapped key is not a 256-bit key"));
    }
    // RFC 7518 4.8.1.1: the salt is the algorithm's name, a zero byte, then p2s.
    let mut salt = header.alg.as_bytes().to_vec();
    salt.push(0);
    salt.extend_from_slice(&p2s);
    let mut kek = Zeroizing::new([0u8; 16]);
    pbkdf2::pbkdf2_hmac::<pbkdf2::sha2::Sha256>(passphrase.as_bytes(), &salt, rounds, kek.as_mut());
    let kw = aes_kw::KwAes128::new((&*kek).into());
    let mut cek = Zeroizing::new([0u8; 32]);
    kw.unwrap_key(&wrapped, cek.as_mut())
        .map_err(|_| JweError::Authentication)?;
    let cipher = Aes256Gcm::new((&*cek).into());
    let plain = cipher
        .decrypt(
            &Nonce::from(iv),
            Payload {
                msg: &sealed,
                aad: header_b64.as_bytes(),
            },
        )
        .map_err(|_| JweError::Authentication)?;
    Ok(Zeroizing::new(plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_percent_decoded() {
        assert_eq!(percent_decode("dev"), "dev");
        assert_eq!(percent_decode("team%2Fdev"), "team/dev");
        assert_eq!(percent_decode("a%25b"), "a%b");
        assert_eq!(percent_decode("odd%zz%"), "odd%zz%");
    }

    #[test]
    fn other_jwe_kinds_are_refused_by_name() {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(r#"{"alg":"dir","enc":"A128CBC-HS256"}"#);
        let token = format!("{header}..AAAA.AAAA.AAAA");
        assert!(matches!(decrypt(&token, "x"), Err(JweError::Format(m)) if m.contains("alg dir")));
        assert!(matches!(decrypt("a.b", "x"), Err(JweError::Format(_))));
    }
}
