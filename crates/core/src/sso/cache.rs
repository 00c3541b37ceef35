//! The SSO token cache the AWS CLI and botocore share: `~/.aws/sso/cache/<sha1 hex>.json`, keyed
//! by the sso-session's name (or, for the legacy form, the start URL) exactly as botocore's
//! `SSOTokenLoader` keys it, and shaped as the AWS CLI writes it, so either side's sign-in serves
//! the other.
//!
//! Reading is tolerant where botocore is (`expiresAt` in any form of [`parse_timestamp`]: `…Z`,
//! `…+00:00`, fractions, the `…UTC` of older botocore, without seconds as Java writes it), and
//! strict where a wrong guess would hurt: a file that is not a JSON object with `accessToken` and
//! a readable `expiresAt`, or is over 1 MiB ([`crate::private_file::MAX_JSON_BYTES`], not read
//! past it), is [`SsoError::CacheCorrupt`] for its sign-in alone, never silently replaced; only
//! a sign-in the user asked for overwrites it. Fields this module does not know
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
use time::format_description::well_known::Rfc2822;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::parsing::Parsed;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
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

/// The ISO 8601 forms [`parse_timestamp`] reads (see there).
const TIMESTAMP: &[BorrowedFormatItem<'static>] = format_description!(
    version = 2,
    "[year]-[month]-[day][first [T][t][ ]][hour]:[minute]\
     [optional [:[second][optional [[first [.][,]][subsecond]]]]]\
     [optional [ ]]\
     [optional [[first [Z][z][UTC][GMT][utc][gmt]\
     [[offset_hour sign:mandatory][optional [[optional [:]][offset_minute]]]]]]]"
);

/// A timestamp in any form the AWS CLI (botocore's `dateutil.parser.parse`) meets in these files
/// and other tools write. ISO 8601's extended form: the date, `T` (or `t`, or a space), the hour
/// and minute, optionally seconds and a fraction (`.` or `,`, any number of digits); then, after
/// an optional space, `Z`, `UTC`, `GMT`, an offset (`+01:00`, `+0100`, `+01`) or nothing (UTC,
/// as the AWS CLI means it). Or RFC 2822 (`Mon, 30 Nov 2026 12:00:00 GMT`). Anything else, and a
/// moment outside the years 0000–9999 in UTC, is `None`, for the caller to name the file; no
/// input panics (the `parsers_never_panic` property tests hold it to that).
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let mut parsed = Parsed::new();
    let at = match parsed.parse_items(text.as_bytes(), TIMESTAMP) {
        Ok([]) => {
            // No zone is UTC, as the AWS CLI means it (it writes none other).
            let offset = match parsed.offset_hour() {
                None => UtcOffset::UTC,
                Some(_) => UtcOffset::try_from(parsed).ok()?,
            };
            PrimitiveDateTime::try_from(parsed).ok()?.assume_offset(offset)
        }
        // Something after a readable time is not a time (`…Z tomorrow`, `…UTC+1`).
        Ok(_) | Err(_) => OffsetDateTime::parse(text, &Rfc2822).ok()?,
    };
    // Checked: an offset can carry the last representable day past the range in UTC. And in
    // the years of four digits, as the file is written back (and the AWS CLI reads it).
    at.checked_to_offset(UtcOffset::UTC)
        .filter(|t| (0..=9999).contains(&t.year()))
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

    /// The file for `session` as found. A file too large to be a token is corrupt (a sign-in
    /// replaces it) and is not read past the limit.
    pub fn lookup(&self, session: &SsoSessionConfig) -> Result<Lookup> {
        let path = self.path(session);
        Ok(match private_file::read(&path, KnownFile::SSO_TOKEN_CACHE) {
            Ok(None) => Lookup::Missing,
            Ok(Some(bytes)) => match parse(&bytes) {
                Ok(token) => Lookup::Token(Box::new(token)),
                Err(why) => Lookup::Corrupt(why),
            },
            Err(private_file::FileError::TooLarge { limit, size, .. }) => Lookup::Corrupt(problem(format!(
                "larger than a token file can be (Rolebar reads at most {limit} bytes{})",
                size.map(|s| format!(", it has {s}")).unwrap_or_default()
            ))),
            Err(e) => return Err(e.into()),
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
    /// refresh made from a readable file), a too large one without reading it.
    pub fn save(&self, session: &SsoSessionConfig, token: &CachedToken) -> Result<()> {
        let path = self.path(session);
        let merged = private_file::update(
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
        );
        match merged {
            Err(crate::Error::File(private_file::FileError::TooLarge { .. })) => {
                private_file::replace(&path, KnownFile::SSO_TOKEN_CACHE, &serialize(token), Durability::Fsync)?;
                Ok(())
            }
            other => other.map(|_| ()),
        }
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
    use crate::error_code::HasCode;
    use time::macros::datetime;

    fn session(name: Option<&str>, start_url: &str) -> SsoSessionConfig {
        SsoSessionConfig {
            name: name.map(str::to_string),
            start_url: start_url.into(),
            region: "eu-west-1".into(),
            scopes: vec!["sso:account:access".into()],
            endpoints: Default::default(),
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
            // Go's RFC3339Nano, JavaScript's toISOString, Python's isoformat, Java's toString
            "2026-11-30T12:00:00.123456789Z",
            "2026-11-30T12:00:00.000Z",
            "2026-11-30T12:00:00.5",
            "2026-11-30T12:00Z",
            "2026-11-30T12:00",
            // more of what dateutil reads
            "2026-11-30t12:00:00z",
            "2026-11-30T12:00:00,5Z",
            "2026-11-30T12:00:00 Z",
            "2026-11-30T12:00:00GMT",
            "2026-11-30 12:00:00 GMT",
            "2026-11-30T12:00:00+00",
            "2026-11-30T06:30:00-0530",
            "2026-11-30T12:00 +00:00",
            "Mon, 30 Nov 2026 12:00:00 GMT",
            "Mon, 30 Nov 2026 13:00:00 +0100",
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
            "2026-11-30T12:00:00Z tomorrow",
            "2026-11-30T12:00:00UTC+01:00",
            "2026-11-30T12",
            "2026-11-30T24:00:00Z",
            "2026-11-30T12:00:00.Z",
            "2026-11-30T12:00:00+00:00:00",
            "2026-11-30T12:00:00\u{0}",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
        assert_eq!(format_timestamp(at), "2026-11-30T12:00:00Z");
    }

    /// Issue 19: these panicked (a slice past the end once the zone was taken off); dateutil
    /// reads each as 2030-01-01 00:00 UTC, and so does Rolebar, in either field.
    #[test]
    fn the_short_forms_of_issue_19_are_read_not_a_panic() {
        let at = datetime!(2030-01-01 00:00 UTC);
        for text in ["2030-01-01T00:00UTC", "2030-01-01 00:00 UTC", "2030-01-01T00:00GMT"] {
            assert_eq!(parse_timestamp(text), Some(at), "{text:?}");
            let file = format!(
                r#"{{"accessToken": "t", "expiresAt": "{text}", "clientId": "c", "clientSecret": "s", "registrationExpiresAt": "{text}"}}"#
            );
            let token = parse(file.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(token.expires_at, at);
            assert_eq!(token.registration.map(|r| r.expires_at), Some(at));
        }
        // Shorter still: an error naming the field, not a panic.
        for text in [
            "2030-01-01T00UTC",
            "2030-01-01 UTC",
            "2030GMT",
            "UTC",
            " GMT",
            "T00:00Z",
        ] {
            assert_eq!(parse_timestamp(text), None, "{text:?}");
            let file = format!(r#"{{"accessToken": "t", "expiresAt": "{text}"}}"#);
            let why = parse(file.as_bytes()).expect_err(text);
            assert!(why.contains("`expiresAt` is not a time"), "{why}");
        }
    }

    /// The last representable moment with a negative offset is past the range in UTC: `None`,
    /// not the panic of `to_offset` (found by `parsers_never_panic`).
    #[test]
    fn a_time_past_the_range_in_utc_is_not_a_time() {
        assert_eq!(parse_timestamp("9999-12-31T23:59:59-01:00"), None);
        // Year -1 in UTC: not a year the file can be written back with.
        assert_eq!(parse_timestamp("0000-01-01T00:00+01:00"), None);
        assert_eq!(
            parse_timestamp("9999-12-31T22:59:59-01:00"),
            Some(datetime!(9999-12-31 23:59:59 UTC))
        );
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

    /// Issue 19 (7c): a 200 MB token file was read whole and its token sent. Now the sign-in's
    /// file is corrupt, named with its size and the limit, found from its size without reading
    /// it (a sparse file); a readable token past the limit is not used either; a sign-in
    /// replaces such a file.
    #[test]
    fn a_token_file_over_a_mib_is_corrupt_and_a_sign_in_replaces_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path());
        let s = session(Some("my-sso"), "https://x.awsapps.com/start");
        let path = cache.path(&s);
        let huge = 200 * 1024 * 1024;
        std::fs::File::create(&path)
            .expect("create")
            .set_len(huge)
            .expect("sparse");
        let e = cache.load(&s).expect_err("too large");
        assert_eq!(e.code(), "sso_cache_corrupt");
        let message = e.to_string();
        for part in [
            path.display().to_string(),
            "larger than a token file can be".into(),
            format!("at most {} bytes", private_file::MAX_JSON_BYTES),
            format!("it has {huge}"),
            "rolebar login-sso my-sso".into(),
        ] {
            assert!(message.contains(&part), "{part}: {message}");
        }
        assert!(matches!(cache.lookup(&s).expect("lookup"), Lookup::Corrupt(_)));

        // A real token, padded past the limit with JSON's own whitespace.
        let mut padded = AWS_CLI_FILE.as_bytes().to_vec();
        padded.resize(private_file::MAX_JSON_BYTES as usize + 1, b' ');
        std::fs::write(&path, &padded).expect("write");
        let e = cache.load(&s).expect_err("not used");
        assert!(e.to_string().contains("larger than a token file can be"), "{e}");

        let token = parse(AWS_CLI_FILE.as_bytes()).expect("parse");
        cache.save(&s, &token).expect("a sign-in replaces it");
        assert_eq!(cache.load(&s).expect("load"), Some(token));
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
