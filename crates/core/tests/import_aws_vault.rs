//! `rolebar import aws-vault`: aws-vault's items, written as aws-vault writes them, come over
//! into Rolebar's keyring (masked in the report), its sessions and SSO tokens are skipped, and
//! its own entries are left as they were.
//!
//! File backend: fixtures/aws-vault-file/keys, JWE files made by make.py beside them (aws-vault's
//! parameters, cross-checked with joserfc). Secret Service: items created on the test keyring
//! exactly as 99designs/keyring (go-libsecret) creates them.

use base64::Engine as _;
use rolebar_core::import::aws_vault::{import, scan, AwsVaultConfig, Backend, ImportError, Line, Outcome, Wanted};
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::keys::KeyStore;
use rolebar_core::keystore::store::MemoryStore;
use rolebar_core::Secret;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::OffsetDateTime;

const PASSPHRASE: &str = "correct horse battery staple";

fn fixture_keys(into: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-vault-file");
    let renamed: std::collections::HashMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(src.join("renamed.json")).expect("renamed.json")).expect("json");
    let dir = into.join("keys");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for entry in std::fs::read_dir(src.join("keys")).expect("fixtures") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let name = renamed.get(&name).cloned().unwrap_or(name);
        std::fs::copy(entry.path(), dir.join(name)).expect("copy");
    }
    dir
}

fn config(backend: Backend, file_dir: PathBuf) -> AwsVaultConfig {
    let mut c = AwsVaultConfig::from_lookup(|_| None, Some(file_dir.clone())).expect("config");
    c.backend = Some(backend);
    c.file_dir = file_dir;
    c
}

fn rolebar_keys(dir: &Path) -> (KeyStore, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    (KeyStore::new(store.clone(), Index::at(dir.join("index.json"))), store)
}

fn summary(lines: &[Line]) -> Vec<(String, Option<String>, String)> {
    let mut out: Vec<_> = lines
        .iter()
        .map(|l| {
            let outcome = match &l.outcome {
                Outcome::Skipped(why) if why.contains("cached session") => "session".to_string(),
                Outcome::Skipped(why) if why.contains("SSO token") => "token".to_string(),
                other => format!("{other:?}"),
            };
            (l.name.clone(), l.masked_key_id.clone(), outcome)
        })
        .collect();
    out.sort();
    out
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn file_backend_keys_come_over_with_one_passphrase_and_sessions_stay_behind() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = fixture_keys(tmp.path());
    let before = snapshot(&dir);
    let (keys, _store) = rolebar_keys(tmp.path());
    let mut asked = 0;
    let mut passphrase = |_: &Path| -> Result<Secret, ImportError> {
        asked += 1;
        Ok(Secret::new(PASSPHRASE))
    };
    let found = scan(
        &config(Backend::File, dir.clone()),
        &Wanted {
            profiles: &[],
            config_profiles: &[],
        },
        &mut passphrase,
    );
    assert!(found.failed.is_empty(), "{:?}", found.failed);
    assert_eq!(asked, 1, "one passphrase for every file");
    let lines = import(&keys, found, false, false, OffsetDateTime::now_utc()).expect("import");
    assert_eq!(
        summary(&lines),
        vec![
            ("dev".into(), Some("****0001".into()), "Imported".into()),
            ("oidc:https://example.awsapps.com/start".into(), None, "token".into()),
            ("sts.GetSessionToken,ZGV2,,1893456000".into(), None, "session".into()),
            ("team/ops".into(), Some("****0002".into()), "Imported".into()),
        ]
    );
    let dev = keys.get("dev").expect("get").expect("dev stored");
    assert_eq!(dev.access_key_id, "AKIAFAKEFILEDEV00001");
    assert_eq!(
        dev.secret_access_key.expose(),
        "fileDevSecret/+0123456789abcdefghijklmn"
    );
    assert_eq!(
        keys.list().get("team/ops").map(|r| r.masked_key_id.as_str()),
        Some("****0002")
    );
    assert_eq!(keys.ages().len(), 2, "the index records both keys' ages");
    assert_eq!(snapshot(&dir), before, "aws-vault's files are untouched");

    // Again: nothing new, nothing replaced.
    let again = scan(
        &config(Backend::File, dir.clone()),
        &Wanted {
            profiles: &["dev".into()],
            config_profiles: &[],
        },
        &mut |_: &Path| Ok(Secret::new(PASSPHRASE)),
    );
    let lines = import(&keys, again, false, false, OffsetDateTime::now_utc()).expect("import");
    assert_eq!(
        summary(&lines)[0],
        ("dev".into(), Some("****0001".into()), "AlreadyThere".into())
    );
    assert!(
        !lines.iter().any(|l| l.name == "team/ops"),
        "only the profile asked for: {lines:?}"
    );
}

#[test]
fn a_wrong_passphrase_is_named_and_nothing_is_stored() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = fixture_keys(tmp.path());
    let (keys, store) = rolebar_keys(tmp.path());
    let found = scan(
        &config(Backend::File, dir),
        &Wanted {
            profiles: &[],
            config_profiles: &[],
        },
        &mut |_: &Path| Ok(Secret::new("not it")),
    );
    assert!(
        matches!(
            found.failed.as_slice(),
            [(Backend::File, ImportError::WrongPassphrase { .. })]
        ),
        "{:?}",
        found.failed
    );
    let lines = import(&keys, found, false, false, OffsetDateTime::now_utc()).expect("import");
    assert!(lines.is_empty());
    assert!(store.entry_names().is_empty());
}

#[test]
fn keys_rolebar_already_holds_are_kept_unless_replacing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = fixture_keys(tmp.path());
    let (keys, _store) = rolebar_keys(tmp.path());
    let other = rolebar_core::Credentials {
        access_key_id: "AKIAFAKEROLEBAR00009".into(),
        secret_access_key: Secret::new("own"),
        session_token: None,
    };
    keys.add("dev", &other, OffsetDateTime::now_utc()).expect("add");
    let wanted = ["dev".to_string()];
    let run = |replace| {
        let found = scan(
            &config(Backend::File, dir.clone()),
            &Wanted {
                profiles: &wanted,
                config_profiles: &[],
            },
            &mut |_: &Path| Ok(Secret::new(PASSPHRASE)),
        );
        import(&keys, found, replace, false, OffsetDateTime::now_utc()).expect("import")
    };
    assert_eq!(run(false)[0].outcome, Outcome::KeptOther("****0009".into()));
    assert_eq!(
        keys.get("dev").expect("get").expect("dev").access_key_id,
        "AKIAFAKEROLEBAR00009"
    );
    assert_eq!(run(true)[0].outcome, Outcome::Imported);
    assert_eq!(
        keys.get("dev").expect("get").expect("dev").access_key_id,
        "AKIAFAKEFILEDEV00001"
    );
}

/// `pass` through AWS_VAULT_PASS_CMD (an aws-vault setting): a stand-in that prints the item
/// as `pass show` would, so the test needs no GnuPG key.
#[cfg(unix)]
#[test]
fn pass_items_under_a_prefix_are_read_with_pass_show() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let store_dir = tmp.path().join("password-store");
    let prefix = store_dir.join("aws-vault");
    std::fs::create_dir_all(&prefix).expect("mkdir");
    for name in ["dev", "sts.AssumeRole,YWRtaW4,,1893456000"] {
        std::fs::write(prefix.join(format!("{name}.gpg")), b"gpg").expect("gpg");
        let item = go_item(name, "AKIAFAKEPASSDEV00042", "passSecret");
        std::fs::write(prefix.join(format!("{name}.json")), item).expect("json");
    }
    let fake = tmp.path().join("fake-pass");
    std::fs::write(
        &fake,
        "#!/bin/sh\n[ \"$1\" = show ] || exit 2\nexec cat \"$PASSWORD_STORE_DIR/$2.json\"\n",
    )
    .expect("script");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut c = config(Backend::Pass, tmp.path().join("none"));
    c.pass_dir = store_dir;
    c.pass_cmd = fake.display().to_string();
    c.pass_prefix = "aws-vault".into();
    let (keys, _store) = rolebar_keys(tmp.path());
    let found = scan(
        &c,
        &Wanted {
            profiles: &[],
            config_profiles: &[],
        },
        &mut |_: &Path| panic!("no passphrase for pass"),
    );
    let lines = import(&keys, found, false, false, OffsetDateTime::now_utc()).expect("import");
    assert_eq!(
        summary(&lines),
        vec![
            ("dev".into(), Some("****0042".into()), "Imported".into()),
            ("sts.AssumeRole,YWRtaW4,,1893456000".into(), None, "session".into()),
        ]
    );
}

/// keyring.Item as Go's encoding/json writes it, holding aws.Credentials.
fn go_item(key: &str, key_id: &str, secret: &str) -> String {
    let creds = format!(
        r#"{{"AccessKeyID":"{key_id}","SecretAccessKey":"{secret}","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z"}}"#
    );
    let data = base64::engine::general_purpose::STANDARD.encode(creds);
    format!(
        r#"{{"Key":"{key}","Data":"{data}","Label":"aws-vault ({key})","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}}"#
    )
}

#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn secret_service_keys_come_over_and_awsvaults_collection_is_untouched() {
    use secret_service::blocking::SecretService;
    use secret_service::EncryptionType;
    use std::collections::HashMap;
    assert!(
        std::env::var_os("ROLEBAR_TEST_KEYRING").is_some(),
        "ROLEBAR_TEST_KEYRING is not set: run the tests through `bash scripts/test.sh`"
    );
    let pid = std::process::id();
    let service = SecretService::connect(EncryptionType::Dh).expect("connect");
    // aws-vault's own collection (`awsvault`) would need gnome-keyring's new-keyring prompt,
    // which a headless test cannot answer; `login` is what many aws-vault users set
    // (AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME=login) and is the unlocked one here. Found by
    // path, as keyring finds it.
    let name = "login".to_string();
    let collection = service
        .get_all_collections()
        .expect("collections")
        .into_iter()
        .find(|c| c.collection_path.as_str() == "/org/freedesktop/secrets/collection/login")
        .expect("the login collection");
    let dev = format!("dev{pid}");
    let prod = format!("prod{pid}");
    let session = format!("sts.GetSessionToken,ZGV2{pid},,1893456000");
    let token = format!("oidc:https://example{pid}.awsapps.com/start");
    let items = [
        (dev.as_str(), go_item(&dev, "AKIAFAKESSDEV0000011", "ssDevSecret/+abc")),
        (prod.as_str(), go_item(&prod, "AKIAFAKESSPROD000012", "ssProdSecret")),
        (session.as_str(), go_item(&session, "ASIASESSION000000013", "x")),
        (token.as_str(), format!(r#"{{"Key":"{token}","Data":"e30="}}"#)),
    ];
    for (key, json) in &items {
        // As go-libsecret's CreateItem: label and `profile` attribute are the key.
        collection
            .create_item(
                key,
                HashMap::from([("profile", *key)]),
                json.as_bytes(),
                true,
                "application/json",
            )
            .expect("item");
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let (keys, _store) = rolebar_keys(tmp.path());
    let mut c = config(Backend::SecretService, tmp.path().join("none"));
    c.collection = name.clone();
    let found = scan(
        &c,
        &Wanted {
            profiles: &[],
            config_profiles: &[],
        },
        &mut |_: &Path| panic!("no passphrase"),
    );
    assert!(found.failed.is_empty(), "{:?}", found.failed);
    let lines = import(&keys, found, false, false, OffsetDateTime::now_utc()).expect("import");
    let mine = |l: &String| l.contains(&pid.to_string());
    let mut after: Vec<(String, Vec<u8>)> = Vec::new();
    for item in collection.get_all_items().expect("items") {
        let label = item.get_label().expect("label");
        if mine(&label) {
            after.push((label, item.get_secret().expect("secret")));
            item.delete().expect("clean up");
        }
    }
    let lines: Vec<Line> = lines.into_iter().filter(|l| mine(&l.name)).collect();
    assert_eq!(
        summary(&lines),
        vec![
            (dev.clone(), Some("****0011".into()), "Imported".into()),
            (token.clone(), None, "token".into()),
            (prod.clone(), Some("****0012".into()), "Imported".into()),
            (session.clone(), None, "session".into()),
        ]
    );
    assert_eq!(
        keys.get(&prod).expect("get").expect("prod").secret_access_key.expose(),
        "ssProdSecret"
    );
    after.sort();
    let mut expected: Vec<(String, Vec<u8>)> = items
        .iter()
        .map(|(k, j)| (k.to_string(), j.clone().into_bytes()))
        .collect();
    expected.sort();
    assert_eq!(after, expected, "aws-vault's items are as they were");
}
