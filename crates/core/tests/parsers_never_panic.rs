//! Issue 19: every parser of outside input is fed arbitrary bytes, and text built from the pieces
//! of what it expects (so the short and broken forms are found, not only random noise), and must
//! answer with a value or an error, never a panic. The SSO cache's `expiresAt: "2030-01-01T00:00UTC"`
//! crashed the tray at every start; these keep that class out.
//!
//! Covered here (no services, no processes): the SSO token cache (`sso::cache::parse`,
//! `parse_timestamp`), the AWS INI files (`profile::ini::parse`, `ProfileSet::parse` and
//! resolving every profile), the credentials-file editor (check, list, write, refresh, remove,
//! remove expired), the agent protocol (requests, replies, credential replies), every JSON file of
//! Rolebar's settings and state (settings.json's domain keys, the session index, the expiry
//! warning state, key-reminders.json; the tray's preferences and recent.json are in
//! crates/tray/tests/preferences_never_panic.rs), the keyring's JSON entries (keys, cached sessions),
//! MFA codes and durations. `replies_never_panic.rs` holds the ones that need a peer: the
//! federation endpoint's reply, requests to the container endpoint, `mfa_process` output.

use proptest::prelude::*;
use rolebar_core::activity::{ActivityLog, Filter};
use rolebar_core::agent::protocol::{decode_credentials, decode_request, encode_credentials};
use rolebar_core::approvals::{ApprovalsFile, Policy};
use rolebar_core::clock::ManualClock;
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::keys::{keys_entry, AgeSource, KeyAge, KeyStore};
use rolebar_core::keystore::store::{MemoryStore, SecretStore};
use rolebar_core::mfa::MfaCode;
use rolebar_core::outputs::credentials_file::{
    check_write, refresh_profile, remove_expired, remove_profile, rolebar_sections, write_profile, Durability,
    WriteOptions,
};
use rolebar_core::profile::resolve::Environment;
use rolebar_core::profile::sso::SsoSessionConfig;
use rolebar_core::profile::{ini, ProfileSet};
use rolebar_core::rotation::reminders::reminders_due;
use rolebar_core::rotation::{KeySettings, ReminderFile};
use rolebar_core::schedule::{parse_duration, FiredState};
use rolebar_core::session::cache::{CacheKey, SessionCache};
use rolebar_core::settings::{Section, SettingsFile};
use rolebar_core::sso::{
    parse_timestamp, parse_token_file as parse, serialize_token_file as serialize, Sso, SsoEndpoints,
};
use rolebar_core::{Credentials, Secret, Session, SessionKind};
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::Arc;
use time::macros::datetime;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

const NOW: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);

/// A folder for one case: in memory when the system has one (the writers flush to disk, which
/// would make a thousand cases slow), else the usual temporary folder.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("tempdir")
}

/// Bytes as a parser of files meets them: mostly text, some of it not UTF-8.
fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![6 => 0x20u8..0x7f, 1 => Just(b'\n'), 1 => Just(b'\r'), 1 => any::<u8>()],
        0..max,
    )
}

// ---------------------------------------------------------------------------------------------
// Timestamps

/// A piece of a timestamp, right or wrong.
fn timestamp_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9]{1,5}",
        2 => prop::sample::select(vec!["-", ":", "T", "t", " ", ".", ",", "Z", "z"]).prop_map(String::from),
        2 => prop::sample::select(vec!["UTC", "GMT", "utc", "gmt", " UTC", " GMT", "UT", "EST"]).prop_map(String::from),
        2 => "[+-][0-9]{1,4}",
        1 => "[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?",
        1 => "\\PC{1,2}",
        1 => prop::sample::select(vec!["\u{0}", "\u{a0}", "é", "２", "\u{202e}"]).prop_map(String::from),
    ]
}

/// Text built from timestamp pieces.
fn timestamp_like() -> impl Strategy<Value = String> {
    prop::collection::vec(timestamp_piece(), 0..14).prop_map(|pieces| pieces.concat())
}

/// A well-formed timestamp cut anywhere, then given a zone: the shapes of issue 19
/// (`2030-01-01T00:00UTC`, 16 characters + `GMT`) and every other truncation.
fn truncated_timestamp() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "2030-01-01T00:00:00.123456789+01:00",
            "2030-01-01 00:00:00,5-05:30",
            "9999-12-31T23:59:59.999Z",
            "0000-01-01T00:00:00+00:00",
        ]),
        0usize..36,
        prop::sample::select(vec![
            "", "Z", "z", "UTC", " UTC", "GMT", " GMT", "+0000", "+00:00", "-01", "+01:00", "+0130", " ", "\n",
        ]),
    )
        .prop_map(|(full, cut, zone)| format!("{}{zone}", &full[..cut.min(full.len())]))
}

/// A valid moment and the way it is written.
#[derive(Debug, Clone)]
struct Written {
    local: PrimitiveDateTime,
    offset: UtcOffset,
    separator: char,
    seconds: bool,
    fraction: String,
    zone: ZoneForm,
    padding: (&'static str, &'static str),
}

#[derive(Debug, Clone, Copy)]
enum ZoneForm {
    None,
    Name(&'static str),
    Colon,
    Compact,
    HoursOnly,
}

fn written() -> impl Strategy<Value = Written> {
    (
        (1i32..=9998, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..60),
        "[0-9]{0,12}",
        prop::sample::select(vec!['T', 't', ' ']),
        any::<bool>(),
        prop_oneof![
            Just(ZoneForm::None),
            prop::sample::select(vec!["Z", "z", "UTC", "GMT", " UTC", " GMT", " Z"]).prop_map(ZoneForm::Name),
            Just(ZoneForm::Colon),
            Just(ZoneForm::Compact),
            Just(ZoneForm::HoursOnly),
        ],
        (-23i8..=23, prop::sample::select(vec![0i8, 30, 45])),
        (
            prop::sample::select(vec!["", " ", "\n", "\t "]),
            prop::sample::select(vec!["", " ", "\n"]),
        ),
    )
        .prop_map(
            |((y, mo, d, h, mi, s), fraction, separator, seconds, zone, (oh, om), padding)| {
                let date = Date::from_calendar_date(y, Month::try_from(mo).expect("month"), d).expect("date");
                let time = Time::from_hms(h, mi, if seconds { s } else { 0 }).expect("time");
                let offset = match zone {
                    ZoneForm::None | ZoneForm::Name(_) => UtcOffset::UTC,
                    ZoneForm::HoursOnly => UtcOffset::from_hms(oh, 0, 0).expect("offset"),
                    _ => UtcOffset::from_hms(oh, if oh < 0 { -om } else { om }, 0).expect("offset"),
                };
                Written {
                    local: PrimitiveDateTime::new(date, time),
                    offset,
                    separator,
                    seconds,
                    fraction: if seconds { fraction } else { String::new() },
                    zone,
                    padding,
                }
            },
        )
}

impl Written {
    fn text(&self) -> String {
        let l = self.local;
        let mut text = format!(
            "{}{:04}-{:02}-{:02}{}{:02}:{:02}",
            self.padding.0,
            l.year(),
            u8::from(l.month()),
            l.day(),
            self.separator,
            l.hour(),
            l.minute()
        );
        if self.seconds {
            text.push_str(&format!(":{:02}", l.second()));
            if !self.fraction.is_empty() {
                text.push_str(&format!(".{}", self.fraction));
            }
        }
        let (h, m, _) = self.offset.as_hms();
        let sign = if self.offset.is_negative() { '-' } else { '+' };
        match self.zone {
            ZoneForm::None => {}
            ZoneForm::Name(name) => text.push_str(name),
            ZoneForm::Colon => text.push_str(&format!("{sign}{:02}:{:02}", h.abs(), m.abs())),
            ZoneForm::Compact => text.push_str(&format!("{sign}{:02}{:02}", h.abs(), m.abs())),
            ZoneForm::HoursOnly => text.push_str(&format!("{sign}{:02}", h.abs())),
        }
        text.push_str(self.padding.1);
        text
    }

    fn moment(&self) -> OffsetDateTime {
        // The fraction's first nine digits; the rest are below a nanosecond.
        let digits: String = self.fraction.chars().chain(std::iter::repeat('0')).take(9).collect();
        let nanos: u32 = digits.parse().expect("digits");
        self.local
            .replace_nanosecond(nanos)
            .expect("nanos")
            .assume_offset(self.offset)
            .to_offset(UtcOffset::UTC)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_timestamp_of_any_text_is_a_time_or_none(text in prop_oneof![
        timestamp_like(),
        truncated_timestamp(),
        "\\PC{0,40}",
        bytes(48).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]) {
        if let Some(t) = parse_timestamp(&text) {
            prop_assert_eq!(t.offset(), UtcOffset::UTC);
            prop_assert!((0..=9999).contains(&t.year()), "{text:?} read as {t}");
        }
    }

    /// Every form the AWS CLI and the SDKs write, and the variants dateutil reads, is the moment
    /// it names.
    #[test]
    fn every_written_form_reads_as_its_moment(w in written()) {
        let text = w.text();
        prop_assert_eq!(parse_timestamp(&text), Some(w.moment()), "{:?}", text);
    }
}

// ---------------------------------------------------------------------------------------------
// The SSO token cache

const TOKEN_FIELDS: [&str; 12] = [
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
    "someFutureField",
    "",
];

/// A JSON scalar, strings often timestamp- or duration-like.
fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        3 => timestamp_like().prop_map(Value::String),
        2 => truncated_timestamp().prop_map(Value::String),
        2 => "\\PC{0,16}".prop_map(Value::String),
        2 => "-?[0-9]{1,12}[hms]{0,3}([0-9]{1,6}[hms])?".prop_map(Value::String),
    ]
}

/// Any JSON value (small: a few levels, a few dozen nodes).
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A token file's object: its fields with values right and wrong; mostly with a token and an
/// `expiresAt` (without them nothing else of the file is looked at).
fn token_object() -> impl Strategy<Value = Value> {
    let time = || {
        prop_oneof![
            3 => timestamp_like().prop_map(Value::String),
            3 => truncated_timestamp().prop_map(Value::String),
            1 => json_value(),
        ]
    };
    let value = prop_oneof![
        2 => time(),
        2 => "[A-Za-z0-9+/=-]{0,24}".prop_map(Value::String),
        1 => json_value(),
    ];
    (
        prop::option::weighted(0.9, "[A-Za-z0-9]{0,8}".prop_map(Value::String)),
        prop::option::weighted(0.9, time()),
        prop::option::weighted(0.7, time()),
        prop::collection::btree_map(
            prop::sample::select(TOKEN_FIELDS.to_vec()),
            value,
            0..TOKEN_FIELDS.len(),
        ),
    )
        .prop_map(|(access, expires, registration_expires, others)| {
            let mut fields: Map<String, Value> = others.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            for (name, value) in [
                ("accessToken", access),
                ("expiresAt", expires),
                ("registrationExpiresAt", registration_expires),
            ] {
                if let Some(value) = value {
                    fields.insert(name.into(), value);
                }
            }
            if fields.contains_key("registrationExpiresAt") {
                fields.insert("clientId".into(), "c".into());
                fields.insert("clientSecret".into(), "s".into());
            }
            Value::Object(fields)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Any bytes are a token or a reason; a token read is written back in a form that reads the
    /// same (to the second: the AWS CLI's form has no fraction).
    #[test]
    fn a_token_file_of_any_bytes_is_a_token_or_a_reason(
        file in prop_oneof![
            bytes(512),
            token_object().prop_map(|v| v.to_string().into_bytes()),
        ]
    ) {
        // As the tray and `rolebar list` meet it: the sign-in's state from its file.
        let dir = scratch();
        let session = SsoSessionConfig {
            name: Some("corp".into()),
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            scopes: Vec::new(),
            endpoints: Default::default(),
        };
        let sso = Sso::new(dir.path(), SsoEndpoints::aws(), Arc::new(ManualClock::new(NOW)));
        std::fs::write(sso.cache_path(&session), &file).expect("write");
        let state = sso.state(&session);
        prop_assert_eq!(state.is_ok(), parse(&file).is_ok(), "{:?}", state.map(|_| ()));

        if let Ok(token) = parse(&file) {
            let again = parse(&serialize(&token)).expect("what Rolebar writes, it reads");
            let whole = |t: OffsetDateTime| t.replace_nanosecond(0).expect("ns");
            prop_assert_eq!(again.expires_at, whole(token.expires_at));
            prop_assert_eq!(&again.access_token, &token.access_token);
            prop_assert_eq!(
                again.registration.as_ref().map(|r| r.expires_at),
                token.registration.as_ref().map(|r| whole(r.expires_at))
            );
            prop_assert_eq!(&again.other_fields, &token.other_fields);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The AWS INI files and the credentials-file editor

/// Lines of INI files, broken ones included, with Rolebar's own keys and timestamp-like values.
fn ini_line() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[ \t]{0,2}\\[[ ]?(profile |sso-session |services )?[a-z\" .-]{0,10}\\]?[ #;a-z]{0,4}",
        1 => Just("[target]".to_string()),
        1 => Just("[profile target]".to_string()),
        3 => (
            prop::sample::select(vec![
                "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "manager",
                "rolebar_expiration", "rolebar_source_profile", "source_profile", "role_arn",
                "mfa_serial", "sso_session", "sso_start_url", "sso_region", "region", "credential_process",
                "duration_seconds", "s3", "x",
            ]),
            prop::sample::select(vec!["=", " = ", "=  ", ":", ""]),
            prop_oneof![
                Just("rolebar".to_string()),
                Just("target".to_string()),
                timestamp_like(),
                truncated_timestamp(),
                "[ -~]{0,20}",
                "\\PC{0,8}",
            ],
        )
            .prop_map(|(k, sep, v)| format!("{k}{sep}{v}")),
        1 => "[ \t]{1,4}[a-z_]{0,8}[ ]?=?[ -~]{0,12}",
        1 => "[ \t]{0,2}[#;][ -~]{0,20}",
        1 => "[ \t\r]{0,3}",
        1 => "\\PC{0,12}",
    ]
}

fn ini_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (prop::collection::vec(ini_line(), 0..24), prop::sample::select(vec!["\n", "\r\n", "\r"]), any::<bool>())
            .prop_map(|(lines, nl, last)| {
                let mut text = lines.join(nl);
                if last {
                    text.push_str(nl);
                }
                text
            }),
        1 => bytes(600).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn session() -> Session {
    Session {
        profile: "oppara-dev".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIAPROPNEW000000001", "prop/New+Secret=", "PropNewToken//=="),
        expires_at: NOW + Duration::hours(1),
        issued_at: None,
        mfa_serial: None,
        role_arn: None,
        region: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any config and credentials text reads as profiles (each of which resolves or fails) or as
    /// syntax errors.
    #[test]
    fn any_ini_text_reads_or_names_its_errors(config in ini_text(), credentials in ini_text()) {
        let _ = ini::parse(Path::new("config"), &config);
        if let Ok(set) = ProfileSet::parse(Path::new("config"), &config, Path::new("credentials"), &credentials) {
            let names: Vec<String> = set.names().map(str::to_string).collect();
            for name in names {
                let _ = set.resolve_with(&name, &Environment::default());
                let _ = set.written_section(&name);
            }
            let sessions: Vec<String> = set.sso_session_names().into_iter().map(str::to_string).collect();
            for name in sessions {
                let _ = set.sso_session(&name);
            }
        }
    }

    /// Every operation of the credentials-file editor on any file: a result, never a panic; a
    /// write that succeeds leaves a file that lists the section as Rolebar's.
    #[test]
    fn the_credentials_editor_handles_any_file(
        text in prop_oneof![
            ini_text().prop_map(String::into_bytes),
            bytes(600),
        ],
        config in ini_text(),
        force in any::<bool>(),
    ) {
        let dir = scratch();
        let path = dir.path().join("credentials");
        let config = ini::parse(Path::new("config"), &config).ok();
        let fresh = || std::fs::write(&path, &text).expect("write");
        fresh();
        let _ = check_write(&path, "target", config.as_ref(), force);
        let _ = rolebar_sections(&path);
        let _ = remove_expired(&path, NOW);
        fresh();
        let _ = refresh_profile(&path, "target", &session(), config.as_ref(), NOW, Durability::NoFsync);
        fresh();
        let _ = remove_profile(&path, "target");
        fresh();
        let options = WriteOptions { force, durability: Durability::NoFsync };
        if write_profile(&path, "target", &session(), config.as_ref(), NOW, options).is_ok() {
            let sections = rolebar_sections(&path).expect("lists what it wrote");
            prop_assert!(sections.iter().any(|s| s.name == "target"), "{sections:?}");
            remove_profile(&path, "target").expect("takes back what it wrote");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The agent's protocol

/// A credentials reply the agent could send, with one field (or the version, or the error)
/// replaced by any value.
fn credentials_reply() -> impl Strategy<Value = Vec<u8>> {
    let good: Value = serde_json::from_str(&encode_credentials(&session()).expect("encodes")).expect("json");
    let fields: Vec<String> = good["ok"].as_object().expect("ok").keys().cloned().collect();
    let mut targets: Vec<Option<String>> = fields.into_iter().map(Some).collect();
    targets.push(None);
    (
        prop::sample::select(targets),
        prop_oneof![
            3 => timestamp_like().prop_map(Value::String),
            2 => truncated_timestamp().prop_map(Value::String),
            2 => json_value(),
        ],
        prop_oneof![Just(Value::from(1)), json_value()],
        prop::option::weighted(0.2, (json_value(), json_value())),
    )
        .prop_map(move |(field, value, v, error)| {
            let mut reply = good.clone();
            match field {
                Some(field) => reply["ok"][field.as_str()] = value,
                None => {
                    if let Some(ok) = reply["ok"].as_object_mut() {
                        ok.clear();
                    }
                }
            }
            reply["v"] = v;
            if let Some((code, message)) = error {
                reply["error"] = serde_json::json!({"code": code, "message": message});
            }
            reply.to_string().into_bytes()
        })
}

fn request_line() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![Just(Value::from(1)), json_value()],
        prop_oneof![
            prop::sample::select(vec!["credentials", "sessions", "ping"]).prop_map(Value::from),
            json_value(),
        ],
        prop::collection::btree_map(
            prop::sample::select(vec!["profile", "min_left_secs", "prompt", "client", "extra"]),
            prop_oneof![
                json_value(),
                any::<u64>().prop_map(Value::from),
                "\\PC{0,20}".prop_map(Value::from)
            ],
            0..5,
        ),
    )
        .prop_map(|(v, op, fields)| {
            let mut request = Map::new();
            request.insert("v".into(), v);
            request.insert("op".into(), op);
            for (k, value) in fields {
                request.insert(k.into(), value);
            }
            Value::Object(request).to_string().into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// (Arbitrary bytes are the in-crate property tests of `protocol.rs` and `frame.rs`.)
    #[test]
    fn agent_requests_and_replies_of_any_shape_decode_or_fail(
        request in request_line(),
        reply in credentials_reply(),
    ) {
        let _ = decode_request(&request);
        let _ = decode_credentials(&reply);
    }
}

// ---------------------------------------------------------------------------------------------
// Rolebar's settings and state files (JSON)

/// A settings or state file: objects with the keys Rolebar reads, values of any kind.
fn settings_json() -> impl Strategy<Value = Vec<u8>> {
    const KEYS: [&str; 22] = [
        "expiry",
        "warn_before",
        "auto_refresh",
        "keys",
        "rotate_after",
        "language",
        "switcher_hotkey",
        "favourites",
        "mfa_ykman",
        "version",
        "sessions",
        "profiles",
        "expires_at",
        "fired_lead_secs",
        "masked_key_id",
        "added_at",
        "created_at",
        "key_created",
        "reminded_at",
        "kind",
        "profile",
        "session:AssumeRole:a",
    ];
    let key = prop_oneof![4 => prop::sample::select(KEYS.to_vec()).prop_map(String::from), 1 => "\\PC{0,6}"];
    let leaf = prop_oneof![
        3 => json_leaf(),
        1 => json_value(),
        1 => Just(Value::from(1)),
        1 => prop::sample::select(vec!["AssumeRole", "GetSessionToken", "SsoRole", "en", "ja", "auto", "Ctrl+Alt+R"]).prop_map(Value::from),
    ];
    let object = |inner: BoxedStrategy<Value>, key: BoxedStrategy<String>| {
        prop::collection::btree_map(key, inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect()))
    };
    let key = key.boxed();
    let level2 = object(leaf.boxed(), key.clone()).boxed();
    let level1 = object(
        prop_oneof![
            leaf_or(level2.clone()),
            prop::collection::vec(level2.clone(), 0..3).prop_map(Value::Array)
        ]
        .boxed(),
        key.clone(),
    )
    .boxed();
    let root = object(prop_oneof![leaf_or(level1.clone()), level1].boxed(), key);
    prop_oneof![
        4 => root.prop_map(|v| v.to_string().into_bytes()),
        4 => one_value_replaced(),
        1 => bytes(300),
    ]
}

/// Rolebar's files as it writes them, two objects holding them all: settings.json's keys, and
/// the state files' (the session index, the expiry warning state, recent.json and
/// key-reminders.json share `version`, `sessions` and `keys`, each reader taking its fields).
fn good_files() -> [Value; 2] {
    [
        serde_json::json!({
            "expiry": {"warn_before": ["10m", "2m"], "auto_refresh": ["a"]},
            "keys": {"rotate_after": 90},
            "language": "ja",
            "switcher_hotkey": "Ctrl+Alt+R",
            "favourites": ["a", "b"],
            "mfa_ykman": true
        }),
        serde_json::json!({
            "version": 1,
            "profiles": ["a", "b"],
            "keys": {
                "a": {"masked_key_id": "****MPLE", "added_at": "2025-01-01T00:00:00Z", "reminded_at": "2026-04-01T00:00:00Z"}
            },
            "key_created": {"a": {"masked_key_id": "****MPLE", "created_at": "2025-01-01T00:00:00Z"}},
            "sessions": {
                "session:AssumeRole:a": {
                    "profile": "a", "kind": "AssumeRole", "expires_at": "2026-05-01T11:00:00Z",
                    "mfa_serial": null, "role_arn": "arn:aws:iam::1:role/a", "fired_lead_secs": 120
                }
            }
        }),
    ]
}

/// Paths (JSON pointers) to every value of `v`, containers included.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                pointers(child, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// One of [`good_files`] with up to three of its values (or whole parts) replaced by anything.
fn one_value_replaced() -> impl Strategy<Value = Vec<u8>> {
    let [settings, state] = good_files();
    prop_oneof![replaced_in(settings), replaced_in(state)]
}

fn replaced_in(good: Value) -> impl Strategy<Value = Vec<u8>> {
    let mut paths = Vec::new();
    pointers(&good, String::new(), &mut paths);
    prop::collection::vec((prop::sample::select(paths), json_value()), 1..4).prop_map(move |changes| {
        let mut file = good.clone();
        for (path, value) in changes {
            if let Some(slot) = file.pointer_mut(&path) {
                *slot = value;
            }
        }
        file.to_string().into_bytes()
    })
}

fn leaf_or(inner: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![json_leaf(), inner].boxed()
}

/// The bases of [`one_value_replaced`] are read by every reader, so the replaced values reach
/// the code after the parse (not only serde's first refusal).
#[test]
fn the_good_files_read_in_every_reader() {
    let dir = scratch();
    let [settings, state] = good_files();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, settings.to_string()).expect("write");
    let read = SettingsFile::at(&path).load();
    for section in Section::ALL {
        assert_eq!(read.problem(section), None, "{section:?}");
    }
    read.expiry.validate().expect("valid");
    assert_eq!(read.keys.rotate_after_days, 90);
    assert!(read.mfa_ykman);

    let path = dir.path().join("state.json");
    std::fs::write(&path, state.to_string()).expect("write");
    assert!(FiredState::try_load(&path)
        .expect("state")
        .most_urgent_fired("session:AssumeRole:a", datetime!(2026-05-01 11:00 UTC))
        .is_some());
    let index = Index::at(&path).read();
    assert_eq!(
        (index.keys.len(), index.sessions.len(), index.key_created.len()),
        (1, 1, 1)
    );
    let age = KeyAge {
        profile: "a".into(),
        masked_key_id: "****MPLE".into(),
        since: NOW - Duration::days(400),
        known_from: AgeSource::Added,
    };
    // Reminded a month ago: due again (a week is the gap); the file was read.
    assert_eq!(
        reminders_due(&[age], &KeySettings::default(), &ReminderFile::at(&path), NOW).len(),
        1
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every reader of a JSON file Rolebar keeps, given any content in it.
    #[test]
    fn every_json_file_reads_or_is_an_error(file in settings_json()) {
        let dir = scratch();
        let path = dir.path().join("file.json");
        std::fs::write(&path, &file).expect("write");

        // settings.json: every domain section, each read by its own module's rules (the
        // tray's preferences and recent.json: crates/tray/tests/preferences_never_panic.rs).
        let settings = SettingsFile::at(&path).load();
        let _ = settings.expiry.validate();
        let _ = SettingsFile::at(&path).update(|s| {
            s.mfa_ykman = !s.mfa_ykman;
            Ok::<(), rolebar_core::schedule::ScheduleError>(())
        });

        // The state beside the index.
        let _ = FiredState::try_load(&path).map(|s| s.most_urgent_fired("session:AssumeRole:a", NOW));
        let index = Index::at(&path);
        let _ = index.read();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let keys = KeyStore::new(store.clone(), Index::at(&path));
        let ages = keys.ages();
        let _ = keys.list();
        let sessions = SessionCache::new(store, Index::at(&path), Arc::new(ManualClock::new(NOW)));
        let _ = sessions.list();
        let mut ages = ages;
        ages.push(KeyAge {
            profile: "a".into(),
            masked_key_id: "****MPLE".into(),
            since: NOW - Duration::days(400),
            known_from: AgeSource::Added,
        });
        let reminders = ReminderFile::at(&path);
        let due = reminders_due(&ages, &KeySettings::default(), &reminders, NOW);
        for reminder in &due {
            let _ = reminder.text(NOW);
        }

        // approvals.json: read, then changed (a file it cannot read is left as it is).
        let approvals = ApprovalsFile::at(&path);
        let _ = approvals.load();
        let _ = approvals.profile("a");
        let before = std::fs::read(&path).expect("read");
        if approvals.set_policy("a", Some(Policy::EveryTime)).is_err() {
            prop_assert_eq!(std::fs::read(&path).expect("read"), before, "an unreadable approvals file was changed");
        }
    }

    /// The activity log is appended by every front end: any bytes in it read, or are an error,
    /// whatever the filter.
    #[test]
    fn an_activity_log_of_any_bytes_reads_or_fails(log in bytes(4096), older in bytes(512), hours in 0i64..48) {
        let dir = scratch();
        let activity = ActivityLog::at(dir.path().join("activity.jsonl"));
        std::fs::write(activity.path(), &log).expect("write");
        std::fs::write(activity.rotated_path(), &older).expect("write");
        let clock = ManualClock::new(NOW);
        let _ = activity.read(&Filter::default(), &clock);
        let filter = Filter { profile: Some("a".into()), since: Some(Duration::hours(hours)) };
        if let Ok(found) = activity.read(&filter, &clock) {
            prop_assert!(found.entries.iter().all(|e| e.profile == "a"));
        }
    }

    /// The keyring's entries are JSON too (another program of the user's can write them): a
    /// value that is not Rolebar's is an error (keys) or dropped (sessions).
    #[test]
    fn keyring_entries_of_any_text_read_or_fail(
        entry in prop_oneof![
            settings_json().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            json_value().prop_map(|v| v.to_string()),
        ],
    ) {
        let dir = scratch();
        let store = Arc::new(MemoryStore::new());
        let index = Index::at(dir.path().join("index.json"));
        store.set(&keys_entry("p"), &Secret::new(entry.as_str())).expect("set");
        let key = CacheKey::Role { profile: "p".into() };
        store.set(&key.entry(), &Secret::new(entry.as_str())).expect("set");
        let _ = KeyStore::new(store.clone(), index.clone()).get("p");
        let sessions = SessionCache::new(store, index, Arc::new(ManualClock::new(NOW)));
        let _ = sessions.get(&key);
        let _ = sessions.get_any(&key);
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn codes_and_durations_of_any_text_read_or_fail(text in prop_oneof![
        "\\PC{0,16}",
        "[0-9 ]{0,9}",
        "-?[0-9]{1,12}[hms]{0,3}([0-9]{1,12}[hms])*",
    ]) {
        if let Ok(code) = MfaCode::parse(&text) {
            prop_assert!(code.expose().len() == 6 && code.expose().bytes().all(|b| b.is_ascii_digit()));
        }
        let _ = parse_duration(&text);
        if let Some(policy) = Policy::parse(&text) {
            prop_assert_eq!(Policy::parse(policy.as_str()), Some(policy));
        }
    }
}
