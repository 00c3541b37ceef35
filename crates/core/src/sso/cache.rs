//! The SSO token cache the AWS CLI and botocore share: `~/.aws/sso/cache/<sha1 hex>.json`, keyed
//! by the sso-session's name (or, for the legacy form, the start URL) exactly as botocore's
//! `SSOTokenLoader` keys it, and shaped as the AWS CLI writes it, so either side's sign-in serves
//! the other.
//!
//! Reading is tolerant where botocore is (`expiresAt` as `…Z`, `…+00:00`, with fractions, or the
//! `…UTC` of older botocore), and strict where a wrong guess would hurt: a file that is not a
//! JSON object with `accessToken` and `expiresAt` is [`SsoError::CacheCorrupt`], never silently
//! replaced; only a sign-in the user asked for overwrites it. Fields this module does not know
//! are kept when the file is rewritten. Writes go through [`crate::private_file`]: atomic, 0600,
//! under its lock.
//!
//! Two fields are Rolebar's own, ignored by the AWS CLI: `registrationGrantTypes` and
//! `registrationScopes`, so a later sign-in knows whether the cached client registration fits its
//! flow (botocore keeps these in a separate registration file instead).

use super::error::SsoError;
use crate::error::Result;
use crate::private_file::{self, Durability, KnownFile, Missing};
use crate::profile::sso::SsoSessionConfig;
use crate::Secret;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The fields this module reads and writes; every other field of a file is kept as it was.
const KNOWN_FIELDS: [&str; 10] = [
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "refreshToken",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "registrationGrantTypes",
    "registrationScopes",
];

/// The file name's stem for a sign-in: SHA-1 (hex) of the session's name, or of the start URL
/// for the legacy form, as botocore computes it.
pub fn cache_key(session: &SsoSessionConfig) -> String {
    let input = session.name.as_deref().unwrap_or(&session.start_url);
    let digest = Sha1::digest(input.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The AWS CLI's cache folder under `home`.
pub fn default_cache_dir(home: &Path) -> PathBuf {
    home.join(".aws").join("sso").join("cache")
}

/// A client registration (RegisterClient's reply) kept with the token, as the AWS CLI keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: Secret,
    pub expires_at: OffsetDateTime,
    /// Rolebar's record of what it was registered for; `None` in a file the AWS CLI wrote.
    pub grant_types: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
}

/// One cache file's contents.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedToken {
    pub start_url: Option<String>,
    pub region: Option<String>,
    pub access_token: Secret,
    pub expires_at: OffsetDateTime,
    pub refresh_token: Option<Secret>,
    /// `None` when any of `clientId`, `clientSecret`, `registrationExpiresAt` is missing or
    /// unreadable: such a token can be used, not refreshed.
    pub registration: Option<Registration>,
    /// Fields Rolebar does not know, written back as they were.
    pub other_fields: Map<String, Value>,
}

/// Why a file cannot be read as a token (never quoting a value: it may be a secret).
fn problem(text: impl Into<String>) -> String {
    text.into()
}

/// Parses a cache file's bytes.
pub fn parse(bytes: &[u8]) -> std::result::Result<CachedToken, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        // serde_json's messages name a line and column and the kind of mistake, not the text.
        problem(format!("not JSON: {e}"))
    })?;
    let Value::Object(mut fields) = value else {
        return Err(problem("not a JSON object"));
    };
    let mut take_string = |name: &str| -> std::result::Result<Option<String>, String> {
        match fields.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(problem(format!("`{name}` is not a string"))),
        }
    };
    let access_token = take_string("accessToken")?
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or_else(|| problem("no `accessToken`"))?;
    let expires_text = take_string("expiresAt")?.ok_or_else(|| problem("no `expiresAt`"))?;
    let expires_at = parse_timestamp(&expires_text)
        .ok_or_else(|| problem(format!("`expiresAt` is not a time: {expires_text:?}")))?;
    let start_url = take_string("startUrl")?;
    let region = take_string("region")?;
    let refresh_token = take_string("refreshToken")?.filter(|t| !t.is_empty()).map(Secret::new);
    let client_id = take_string("clientId")?;
    let client_secret = take_string("clientSecret")?.map(Secret::new);
    let registration_expires = take_string("registrationExpiresAt")?;
    let grant_types = string_list(fields.remove("registrationGrantTypes"));
    let scopes = string_list(fields.remove("registrationScopes"));
    let registration = match (
        client_id,
        client_secret,
        registration_expires.as_deref().and_then(parse_timestamp),
    ) {
        (Some(client_id), Some(client_secret), Some(expires_at)) if !client_id.is_empty() => Some(Registration {
            client_id,
            client_secret,
            expires_at,
            grant_types,
            scopes,
        }),
        _ => None,
    };
    Ok(CachedToken {
        start_url,
        region,
        access_token,
        expires_at,
        refresh_token,
        registration,
        other_fields: fields,
    })
}

fn string_list(value: Option<Value>) -> Option<Vec<String>> {
    match value? {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// A timestamp in any form botocore's `dateutil.parser.parse` meets in these files: RFC 3339
/// (`Z` or an offset, fractions allowed), `UTC`/`GMT` for `Z`, a space for `T`, `+0000` offsets,
/// and no zone at all (taken as UTC, as the AWS CLI means it).
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    let mut s = text.trim().to_string();
    if s.len() < 19 || !s.is_ascii() {
        return None;
    }
    if s.as_bytes()[10] == b' ' {
        s.replace_range(10..11, "T");
    }
    for zone in ["UTC", "GMT", "utc", "gmt"] {
        if let Some(stripped) = s.strip_suffix(zone) {
            s = format!("{}Z", stripped.trim_end());
        }
    }
    let tail = &s[19..];
    let zone_at = tail.find(['Z', 'z', '+', '-']).map(|i| i + 19);
    match zone_at {
        None => s.push('Z'),
        Some(at) => {
            // `+0000` → `+00:00`
            let zone = &s[at..];
            if zone.len() == 5 && zone[1..].bytes().all(|b| b.is_ascii_digit()) {
                s.insert(at + 3, ':');
            }
        }
    }
    OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

/// The AWS CLI's form: `2026-11-30T12:00:00Z` (UTC, whole seconds).
pub fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The file's text: the AWS CLI's fields in its order, then Rolebar's, then the others. Built in
/// a buffer that is wiped when dropped (it holds the tokens and the client secret).
pub fn serialize(token: &CachedToken) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(8192));
    let mut first = true;
    let mut field = |out: &mut Vec<u8>, name: &str, value: &dyn erased::Json| {
        out.extend_from_slice(if first { b"{\n  " } else { b",\n  " });
        first = false;
        // Writing a &str or a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, name);
        out.extend_from_slice(b": ");
        value.write(out);
    };
    if let Some(url) = &token.start_url {
        field(&mut out, "startUrl", &url.as_str());
    }
    if let Some(region) = &token.region {
        field(&mut out, "region", &region.as_str());
    }
    field(&mut out, "accessToken", &token.access_token.expose());
    field(&mut out, "expiresAt", &format_timestamp(token.expires_at).as_str());
    if let Some(refresh) = &token.refresh_token {
        field(&mut out, "refreshToken", &refresh.expose());
    }
    if let Some(r) = &token.registration {
        field(&mut out, "clientId", &r.client_id.as_str());
        field(&mut out, "clientSecret", &r.client_secret.expose());
        field(
            &mut out,
            "registrationExpiresAt",
            &format_timestamp(r.expires_at).as_str(),
        );
        if let Some(grants) = &r.grant_types {
            field(&mut out, "registrationGrantTypes", &Value::from(grants.clone()));
        }
        if let Some(scopes) = &r.scopes {
            field(&mut out, "registrationScopes", &Value::from(scopes.clone()));
        }
    }
    for (name, value) in &token.other_fields {
        if !KNOWN_FIELDS.contains(&name.as_str()) {
            field(&mut out, name, value);
        }
    }
    if first {
        out.extend_from_slice(b"{");
    }
    out.extend_from_slice(b"\n}\n");
    out
}

/// Writes one JSON value into the file's buffer.
mod erased {
    pub trait Json {
        fn write(&self, out: &mut Vec<u8>);
    }

    impl Json for &str {
        fn write(&self, out: &mut Vec<u8>) {
            let _ = serde_json::to_writer(out, self);
        }
    }

    impl Json for serde_json::Value {
        fn write(&self, out: &mut Vec<u8>) {
            let _ = serde_json::to_writer(out, self);
        }
    }
}

/// What a read of the cache found.
#[derive(Debug)]
pub enum Lookup {
    Missing,
    Token(Box<CachedToken>),
    /// The file exists but is not a token: why.
    Corrupt(String),
}

/// The cache folder and the rules for its files.
#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
}

impl TokenCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        TokenCache { dir: dir.into() }
    }

    /// The AWS CLI's folder under HOME.
    pub fn from_home() -> std::result::Result<Self, SsoError> {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(dirs::home_dir)
            .ok_or(SsoError::NoCacheDir)?;
        Ok(TokenCache::new(default_cache_dir(&home)))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, session: &SsoSessionConfig) -> PathBuf {
        self.dir.join(format!("{}.json", cache_key(session)))
    }

    /// The file for `session` as found.
    pub fn lookup(&self, session: &SsoSessionConfig) -> Result<Lookup> {
        let path = self.path(session);
        Ok(match private_file::read(&path, KnownFile::SSO_TOKEN_CACHE)? {
            None => Lookup::Missing,
            Some(bytes) => match parse(&bytes) {
                Ok(token) => Lookup::Token(Box::new(token)),
                Err(why) => Lookup::Corrupt(why),
            },
        })
    }

    /// The token for `session`, `None` when there is no file; a corrupt file is an error.
    pub fn load(&self, session: &SsoSessionConfig) -> Result<Option<CachedToken>> {
        match self.lookup(session)? {
            Lookup::Missing => Ok(None),
            Lookup::Token(token) => Ok(Some(*token)),
            Lookup::Corrupt(problem) => Err(corrupt(session, self.path(session), problem).into()),
        }
    }

    /// Writes `token` for `session`, keeping the fields of the current file that this module
    /// does not know. A corrupt current file is replaced (callers only save after a sign-in or a
    /// refresh made from a readable file).
    pub fn save(&self, session: &SsoSessionConfig, token: &CachedToken) -> Result<()> {
        let path = self.path(session);
        private_file::update(
            &path,
            KnownFile::SSO_TOKEN_CACHE,
            Missing::Create,
            Durability::Fsync,
            |current| {
                let mut token = token.clone();
                if let Some(Ok(existing)) = current.map(parse) {
                    for (name, value) in existing.other_fields {
                        token.other_fields.entry(name).or_insert(value);
                    }
                }
                Ok::<_, crate::Error>((Some(serialize(&token)), ()))
            },
        )?;
        Ok(())
    }

    /// Marks the token of `session` expired when the file still holds `access_token` (a parallel
    /// sign-in may have replaced it), so neither Rolebar nor the AWS CLI uses it again; its
    /// refresh token stays, to be tried first.
    pub fn expire(&self, session: &SsoSessionConfig, access_token: &Secret, now: OffsetDateTime) -> Result<bool> {
        let path = self.path(session);
        let (changed, _) = private_file::update(
            &path,
            KnownFile::SSO_TOKEN_CACHE,
            Missing::Leave,
            Durability::Fsync,
            |current| {
                let Some(Ok(mut token)) = current.map(parse) else {
                    return Ok::<_, crate::Error>((None, false));
                };
                if token.access_token != *access_token || token.expires_at <= now {
                    return Ok((None, false));
                }
                token.expires_at = now;
                Ok((Some(serialize(&token)), true))
            },
        )?;
        Ok(changed)
    }

    /// Removes the file of `session`; whether there was one.
    pub fn remove(&self, session: &SsoSessionConfig) -> Result<bool> {
        let path = self.path(session);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(source) => {
                return Err(private_file::FileError::Io {
                    action: "look at",
                    path,
                    source,
                }
                .into())
            }
            Ok(meta) if meta.is_dir() => {
                return Err(private_file::FileError::NotRegular {
                    role: KnownFile::SSO_TOKEN_CACHE,
                    path,
                    kind: private_file::FileKind::Directory,
                    action: "remove",
                }
                .into())
            }
            Ok(_) => {}
        }
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(private_file::FileError::Io {
                action: "remove",
                path,
                source,
            }
            .into()),
        }
    }
}

pub fn corrupt(session: &SsoSessionConfig, path: PathBuf, problem: String) -> SsoError {
    SsoError::CacheCorrupt {
        session: session.display_name().to_string(),
        path,
        problem,
        login: super::login_command(session),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn session(name: Option<&str>, start_url: &str) -> SsoSessionConfig {
        SsoSessionConfig {
            name: name.map(str::to_string),
            start_url: start_url.into(),
            region: "eu-west-1".into(),
            scopes: vec!["sso:account:access".into()],
        }
    }

    /// A file in the exact shape `aws sso login` (v2, PKCE) writes, with a field Rolebar does not
    /// know.
    const AWS_CLI_FILE: &str = r#"{"startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1", "accessToken": "aoaAAAAAGexample-access-token", "expiresAt": "2026-11-30T12:00:00Z", "clientId": "example-client-id", "clientSecret": "eyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0-example-secret", "registrationExpiresAt": "2027-02-28T11:00:00Z", "refreshToken": "aorvJYubGpU6i91YnH7Mfo-example-refresh", "someFutureField": {"a": [1, 2]}}"#;

    #[test]
    fn the_cache_key_is_sha1_of_the_session_name_or_the_legacy_start_url() {
        // printf %s my-sso | sha1sum
        assert_eq!(
            cache_key(&session(Some("my-sso"), "https://x.awsapps.com/start")),
            "0ad374308c5a4e22f723adf10145eafad7c4031c"
        );
        // printf %s https://my-sso-portal.awsapps.com/start | sha1sum
        assert_eq!(
            cache_key(&session(None, "https://my-sso-portal.awsapps.com/start")),
            "c7aaaf71fcc8777ae2475525ed049d39fe16c484"
        );
    }

    #[test]
    fn a_file_written_by_the_aws_cli_reads_and_round_trips() {
        let token = parse(AWS_CLI_FILE.as_bytes()).expect("parse");
        assert_eq!(
            token.start_url.as_deref(),
            Some("https://my-sso-portal.awsapps.com/start")
        );
        assert_eq!(token.region.as_deref(), Some("us-east-1"));
        assert_eq!(token.access_token.expose(), "aoaAAAAAGexample-access-token");
        assert_eq!(token.expires_at, datetime!(2026-11-30 12:00 UTC));
        assert_eq!(
            token.refresh_token.as_ref().map(Secret::expose),
            Some("aorvJYubGpU6i91YnH7Mfo-example-refresh")
        );
        let r = token.registration.as_ref().expect("registration");
        assert_eq!(r.client_id, "example-client-id");
        assert_eq!(r.expires_at, datetime!(2027-02-28 11:00 UTC));
        assert_eq!(r.grant_types, None);

        let written = serialize(&token);
        let again = parse(&written).expect("reparse");
        assert_eq!(again, token);
        let as_json: Value = serde_json::from_slice(&written).expect("json");
        let original: Value = serde_json::from_str(AWS_CLI_FILE).expect("json");
        // Every field the AWS CLI wrote is there with the same value, the unknown one included.
        for (name, value) in original.as_object().expect("object") {
            assert_eq!(&as_json[name], value, "{name}");
        }
        let debug = format!("{token:?}");
        for secret in ["aoaAAAAAG", "aorvJYub", "eyJraWQ"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn expires_at_is_read_in_every_form_botocore_accepts() {
        let at = datetime!(2026-11-30 12:00 UTC);
        for text in [
            "2026-11-30T12:00:00Z",
            "2026-11-30T12:00:00+00:00",
            "2026-11-30T12:00:00.000Z",
            "2026-11-30T12:00:00.123456+00:00",
            "2026-11-30T12:00:00UTC",
            "2026-11-30T12:00:00 UTC",
            "2026-11-30 12:00:00Z",
            "2026-11-30T12:00:00",
            "2026-11-30T13:00:00+01:00",
            "2026-11-30T12:00:00+0000",
            " 2026-11-30T12:00:00Z\n",
        ] {
            let parsed = parse_timestamp(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(parsed.replace_nanosecond(0).expect("ns"), at, "{text:?}");
        }
        for bad in [
            "",
            "tomorrow",
            "2026-11-30",
            "2026-13-30T12:00:00Z",
            "2026-11-30T12:00:00Q",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
        assert_eq!(format_timestamp(at), "2026-11-30T12:00:00Z");
    }

    #[test]
    fn a_corrupt_file_is_a_named_error_and_is_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path());
        let s = session(Some("my-sso"), "https://x.awsapps.com/start");
        std::fs::create_dir_all(dir.path()).expect("dir");
        for (text, why) in [
            ("not json at all", "not JSON"),
            ("[1, 2]", "not a JSON object"),
            (r#"{"expiresAt": "2026-11-30T12:00:00Z"}"#, "no `accessToken`"),
            (r#"{"accessToken": "secret-token-value"}"#, "no `expiresAt`"),
            (
                r#"{"accessToken": "secret-token-value", "expiresAt": "soon"}"#,
                "not a time",
            ),
        ] {
            std::fs::write(cache.path(&s), text).expect("write");
            let e = cache.load(&s).expect_err(text);
            let message = e.to_string();
            assert_eq!(e.code(), "sso_cache_corrupt", "{message}");
            assert!(message.contains(why), "{why}: {message}");
            assert!(message.contains(&cache.path(&s).display().to_string()), "{message}");
            assert!(message.contains("rolebar login-sso my-sso"), "{message}");
            assert!(!message.contains("secret-token-value"), "{message}");
            assert_eq!(std::fs::read_to_string(cache.path(&s)).expect("read"), text);
        }
    }

    #[test]
    fn save_keeps_unknown_fields_writes_0600_and_expire_marks_only_the_same_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path().join("cache"));
        let s = session(Some("my-sso"), "https://x.awsapps.com/start");
        std::fs::create_dir_all(cache.dir()).expect("dir");
        std::fs::write(cache.path(&s), AWS_CLI_FILE).expect("write");
        let mut token = cache.load(&s).expect("load").expect("token");
        token.other_fields.clear();
        token.access_token = Secret::new("new-access-token");
        cache.save(&s, &token).expect("save");
        let saved: Value = serde_json::from_slice(&std::fs::read(cache.path(&s)).expect("read")).expect("json");
        assert_eq!(saved["someFutureField"]["a"][1], 2);
        assert_eq!(saved["accessToken"], "new-access-token");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(cache.path(&s)).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let now = datetime!(2026-11-30 11:00 UTC);
        assert!(!cache.expire(&s, &Secret::new("another"), now).expect("expire"));
        assert!(cache.expire(&s, &Secret::new("new-access-token"), now).expect("expire"));
        assert_eq!(cache.load(&s).expect("load").expect("token").expires_at, now);
        assert!(cache.remove(&s).expect("remove"));
        assert!(!cache.remove(&s).expect("remove"));
        assert!(cache.load(&s).expect("load").is_none());
    }
}
