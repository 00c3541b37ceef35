//! The rotation's steps against a fake IAM that can fail at each one, on a manual clock and a
//! sleeper that only records its waits.

use super::*;
use crate::clock::ManualClock;
use crate::error_code::HasCode;
use crate::keystore::index::Index;
use crate::keystore::keys::{AgeSource, KeyStore};
use crate::keystore::store::MemoryStore;
use crate::profile::AwsPaths;
use crate::session::cache::SessionCache;
use crate::session::sts::{AssumeRoleRequest, RoleAssumer, SessionTokenRequest, StsCredentials};
use crate::session::vault::Vault;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use time::macros::datetime;

const OLD_ID: &str = "AKIAOLDKEYEXAMPLE001";
const OLD_SECRET: &str = "old-secret-VALUE/1";
const OTHER_ID: &str = "AKIAFAKEOTHERKEYPL02";
const SESSION_ID: &str = "ASIAMFASESSIONEXAMP1";
const NOW: OffsetDateTime = datetime!(2026-11-25 12:00:10 UTC);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    New,
    Old,
}

#[derive(Debug, Default)]
struct FakeState {
    /// The user's keys: id, secret.
    keys: Vec<(String, String)>,
    made: u32,
    deny_list: bool,
    fail_create: Option<IamFailure>,
    /// The new key is rejected this many times before it works.
    reject_checks: u32,
    /// Every check fails like this.
    fail_check: Option<IamFailure>,
    fail_delete: Option<(Which, IamFailure)>,
    /// CreateAccessKey makes the key, then fails like this: the reply is lost.
    lose_create_reply: Option<IamFailure>,
    /// ListAccessKeys fails like this once a key was made.
    fail_list_after_create: Option<IamFailure>,
    /// This many ListAccessKeys after a creation do not show the new key yet (IAM is
    /// eventually consistent).
    hide_new_from_lists: u32,
    /// "Action signer-id" for every call.
    calls: Vec<String>,
    new_id: Option<String>,
}

#[derive(Debug, Default)]
struct FakeIam(Mutex<FakeState>);

impl FakeIam {
    fn with_keys(ids: &[(&str, &str)]) -> Arc<FakeIam> {
        let fake = FakeIam::default();
        fake.state().keys = ids.iter().map(|(i, s)| (i.to_string(), s.to_string())).collect();
        Arc::new(fake)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn ids(&self) -> Vec<String> {
        self.state().keys.iter().map(|(i, _)| i.clone()).collect()
    }

    /// A signer IAM knows: one of the user's keys, or the MFA session.
    fn signed(s: &mut FakeState, action: &str, signer: &Credentials) -> Result<(), IamFailure> {
        s.calls.push(format!("{action} {}", signer.access_key_id));
        let known = signer.access_key_id == SESSION_ID
            || s.keys
                .iter()
                .any(|(i, sec)| *i == signer.access_key_id && sec == signer.secret_access_key.expose());
        if known {
            Ok(())
        } else {
            Err(IamFailure::KeyRejected {
                code: "InvalidClientTokenId".into(),
            })
        }
    }
}

#[async_trait::async_trait]
impl KeyApi for FakeIam {
    async fn list_access_keys(&self, _at: &IamAt, signer: &Credentials) -> Result<Vec<AccessKeyMeta>, IamFailure> {
        let mut s = self.state();
        FakeIam::signed(&mut s, "List", signer)?;
        if s.deny_list {
            return Err(IamFailure::AccessDenied {
                message: "not authorized to perform iam:ListAccessKeys".into(),
            });
        }
        if s.made > 0 {
            if let Some(f) = s.fail_list_after_create.clone() {
                return Err(f);
            }
        }
        let hidden = match s.new_id.clone() {
            Some(id) if s.hide_new_from_lists > 0 => {
                s.hide_new_from_lists -= 1;
                Some(id)
            }
            _ => None,
        };
        Ok(s.keys
            .iter()
            .filter(|(id, _)| Some(id) != hidden.as_ref())
            .map(|(id, _)| AccessKeyMeta {
                access_key_id: id.clone(),
                user_name: Some("oppara".into()),
                created_at: Some(datetime!(2026-08-01 09:00 UTC)),
                active: true,
            })
            .collect())
    }

    async fn create_access_key(&self, _at: &IamAt, signer: &Credentials) -> Result<NewAccessKey, IamFailure> {
        let mut s = self.state();
        FakeIam::signed(&mut s, "Create", signer)?;
        if let Some(f) = s.fail_create.clone() {
            return Err(f);
        }
        if s.keys.len() >= 2 {
            return Err(IamFailure::KeyLimit {
                message: "Cannot exceed quota for AccessKeysPerUser: 2".into(),
            });
        }
        s.made += 1;
        let id = format!("AKIANEWKEYEXAMPLEN{:02}", s.made);
        let secret = format!("new-secret-VALUE/{}", s.made);
        s.keys.push((id.clone(), secret.clone()));
        s.new_id = Some(id.clone());
        if let Some(f) = s.lose_create_reply.clone() {
            return Err(f);
        }
        Ok(NewAccessKey {
            keys: Credentials::long_term(id, secret),
            user_name: Some("oppara".into()),
            created_at: Some(NOW),
        })
    }

    async fn delete_access_key(&self, _at: &IamAt, signer: &Credentials, key_id: &str) -> Result<(), IamFailure> {
        let mut s = self.state();
        FakeIam::signed(&mut s, &format!("Delete({key_id})"), signer)?;
        let which = if s.new_id.as_deref() == Some(key_id) {
            Which::New
        } else {
            Which::Old
        };
        if let Some((w, f)) = s.fail_delete.clone() {
            if w == which {
                return Err(f);
            }
        }
        let before = s.keys.len();
        s.keys.retain(|(i, _)| i != key_id);
        if s.keys.len() == before {
            return Err(IamFailure::NoSuchKey {
                message: "not found".into(),
            });
        }
        Ok(())
    }

    async fn check_key(&self, _at: &IamAt, keys: &Credentials) -> Result<(), IamFailure> {
        let mut s = self.state();
        s.calls.push(format!("Check {}", keys.access_key_id));
        if let Some(f) = s.fail_check.clone() {
            return Err(f);
        }
        if s.reject_checks > 0 {
            s.reject_checks -= 1;
            return Err(IamFailure::KeyRejected {
                code: "InvalidClientTokenId".into(),
            });
        }
        Ok(())
    }
}

/// GetSessionToken only; counts calls.
#[derive(Debug)]
struct FakeSts {
    clock: ManualClock,
    calls: AtomicU32,
}

#[async_trait::async_trait]
impl RoleAssumer for FakeSts {
    async fn assume_role(&self, r: AssumeRoleRequest<'_>) -> crate::Result<StsCredentials> {
        Err(Error::Sts {
            profile: r.profile.into(),
            code: "not_here".into(),
            message: "no roles in these tests".into(),
        })
    }

    async fn get_session_token(&self, r: SessionTokenRequest<'_>) -> crate::Result<StsCredentials> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(StsCredentials {
            credentials: Credentials::temporary(SESSION_ID, "session-secret", "session-token"),
            expires_at: self.clock.now_plus(r.duration),
            assumed_role_arn: None,
        })
    }
}

trait NowPlus {
    fn now_plus(&self, d: time::Duration) -> OffsetDateTime;
}

impl NowPlus for ManualClock {
    fn now_plus(&self, d: time::Duration) -> OffsetDateTime {
        use crate::clock::Clock;
        self.now() + d
    }
}

#[derive(Debug, Default)]
struct Prompt(AtomicU32);

#[async_trait::async_trait]
impl MfaPrompt for Prompt {
    async fn code(&self, _request: &MfaRequest) -> crate::Result<MfaCode> {
        self.0.fetch_add(1, Ordering::SeqCst);
        MfaCode::parse("123456")
    }
}

/// Records each wait, returns at once.
#[derive(Debug, Default)]
struct Waits(Mutex<Vec<StdDuration>>);

impl Sleeper for Waits {
    fn sleep(&self, duration: StdDuration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(duration);
        Box::pin(std::future::ready(()))
    }
}

struct World {
    _dir: tempfile::TempDir,
    sessions: Sessions,
    sts: Arc<FakeSts>,
    clock: ManualClock,
}

const CONFIG: &str = "[default]\nregion = us-east-1\n\n[profile mfa]\nregion = us-east-1\nmfa_serial = arn:aws:iam::111111111111:mfa/oppara\n\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::111111111111:role/dev\n\n[profile filed]\nregion = us-east-1\n";
const CREDENTIALS: &str = "[filed]\naws_access_key_id = AKIAFILEDKEYEXAMPLE1\naws_secret_access_key = filed-secret\n";

fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    let credentials = dir.path().join("credentials");
    std::fs::write(&config, CONFIG).expect("config");
    std::fs::write(&credentials, CREDENTIALS).expect("credentials");
    let store = Arc::new(MemoryStore::new());
    let index = Index::at(dir.path().join("state/index.json"));
    let clock = ManualClock::new(NOW);
    let keys = KeyStore::new(store.clone(), index.clone());
    keys.add(
        "default",
        &Credentials::long_term(OLD_ID, OLD_SECRET),
        datetime!(2026-09-01 00:00 UTC),
    )
    .expect("add default");
    keys.add(
        "mfa",
        &Credentials::long_term(OLD_ID, OLD_SECRET),
        datetime!(2026-09-01 00:00 UTC),
    )
    .expect("add mfa");
    let cache = SessionCache::new(store, index, Arc::new(clock.clone()));
    let sts = Arc::new(FakeSts {
        clock: clock.clone(),
        calls: AtomicU32::new(0),
    });
    let vault = Vault::new(keys, cache, sts.clone(), Arc::new(clock.clone()));
    World {
        _dir: dir,
        sessions: Sessions::new(AwsPaths { config, credentials }, vault),
        sts,
        clock,
    }
}

fn rotator(iam: &Arc<FakeIam>, waits: &Arc<Waits>) -> Rotator {
    Rotator::new(iam.clone(), waits.clone())
}

fn stored(w: &World, profile: &str) -> String {
    w.sessions
        .vault
        .keys()
        .get(profile)
        .expect("keyring")
        .expect("keys")
        .access_key_id
}

/// No secret, and no whole key id, in what the user sees.
fn assert_no_secret(text: &str) {
    for secret in [
        OLD_SECRET,
        "new-secret",
        "session-secret",
        "session-token",
        OLD_ID,
        OTHER_ID,
        "AKIANEWKEYEXAMPLE",
        SESSION_ID,
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test]
async fn a_rotation_stores_the_new_key_deletes_the_old_and_drops_sessions() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    let waits = Arc::new(Waits::default());
    // A cached session made with the old key.
    w.sessions
        .session("default", &Prompt::default())
        .await
        .expect("session");
    let report = rotator(&iam, &waits)
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect("rotated");
    assert_eq!(report.old_key, "****E001");
    assert_eq!(report.new_key, "****EN01");
    assert_eq!(stored(&w, "default"), "AKIANEWKEYEXAMPLEN01");
    assert_eq!(iam.ids(), ["AKIANEWKEYEXAMPLEN01"], "the old key is deleted at AWS");
    assert_eq!(report.sessions_cleared, 1);
    assert_eq!(report.mfa, MfaUse::NotNeeded);
    assert_eq!((report.checks, report.waited), (1, StdDuration::ZERO));
    // The old keys signed every IAM call (no MFA session for a profile without mfa_serial).
    let calls = iam.state().calls.clone();
    assert_eq!(
        calls,
        [
            format!("List {OLD_ID}"),
            format!("Create {OLD_ID}"),
            "Check AKIANEWKEYEXAMPLEN01".to_string(),
            format!("Delete({OLD_ID}) {OLD_ID}"),
        ]
    );
    // IAM's creation date is the key's age from now on.
    let age = w
        .sessions
        .vault
        .keys()
        .ages()
        .into_iter()
        .find(|a| a.profile == "default")
        .expect("age");
    assert_eq!((age.since, age.known_from), (NOW, AgeSource::Iam));
    assert_no_secret(&format!("{report:?}"));
}

#[tokio::test]
async fn a_user_at_two_keys_is_refused_naming_the_other_key_masked() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET), (OTHER_ID, "x")]);
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("two keys");
    assert_eq!(err.code(), "rotate_two_keys");
    let text = err.to_string();
    assert!(text.contains("****PL02") && text.contains("****E001"), "{text}");
    assert!(text.contains("rolebar rotate default --delete-key ****PL02"), "{text}");
    assert!(text.contains("`oppara`"), "{text}");
    assert_no_secret(&text);
    assert_eq!(iam.state().made, 0, "nothing created");
    assert_eq!(stored(&w, "default"), OLD_ID);
}

#[tokio::test]
async fn two_keys_are_still_told_when_listing_is_not_allowed() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET), (OTHER_ID, "x")]);
    iam.state().deny_list = true;
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("two keys");
    assert_eq!(err.code(), "rotate_two_keys");
    assert!(err.to_string().contains("IAM console"), "{err}");
}

#[tokio::test]
async fn a_failure_after_create_deletes_the_new_key_and_keeps_the_old() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    iam.state().fail_check = Some(IamFailure::Unreachable {
        endpoint: "http://127.0.0.1:9".into(),
        detail: "connection refused".into(),
    });
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("check fails");
    assert_eq!(err.code(), "rotate_aborted");
    let text = err.to_string();
    assert!(text.contains("deleted again") && text.contains("****E001"), "{text}");
    assert_eq!(stored(&w, "default"), OLD_ID, "the old key stays in the keyring");
    assert_eq!(iam.ids(), [OLD_ID], "the new key is gone again");
    assert_no_secret(&text);
}

#[tokio::test]
async fn a_new_key_that_cannot_be_deleted_again_is_named_with_the_command_to_delete_it() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    {
        let mut s = iam.state();
        s.fail_check = Some(IamFailure::Other {
            code: "InternalFailure".into(),
            message: "boom".into(),
        });
        s.fail_delete = Some((
            Which::New,
            IamFailure::Other {
                code: "ServiceFailure".into(),
                message: "try later".into(),
            },
        ));
    }
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("check fails");
    assert_eq!(err.code(), "rotate_new_key_left");
    let text = err.to_string();
    assert!(
        text.contains("rolebar rotate default --delete-key ****EN01"),
        "names the new key and the command: {text}"
    );
    assert!(text.contains("old key ****E001, which still works"), "{text}");
    assert!(
        text.contains("InternalFailure") && text.contains("ServiceFailure"),
        "{text}"
    );
    assert_eq!(stored(&w, "default"), OLD_ID, "the old key stays in the keyring");
    assert_no_secret(&text);

    // The command it names deletes exactly that key, signed with the keyring's (old) key.
    iam.state().fail_delete = None;
    let deleted = rotator(&iam, &Arc::default())
        .delete_key(&w.sessions, "default", "****EN01", &Prompt::default())
        .await;
    let deleted = deleted.expect("deleted");
    assert_eq!(deleted.key, "****EN01");
    assert_eq!(iam.ids(), [OLD_ID]);
}

#[tokio::test]
async fn a_failure_deleting_the_old_key_keeps_the_new_one_and_says_the_old_is_active() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    iam.state().fail_delete = Some((
        Which::Old,
        IamFailure::AccessDenied {
            message: "not authorized to perform iam:DeleteAccessKey".into(),
        },
    ));
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("delete fails");
    assert_eq!(err.code(), "rotate_old_key_left");
    let text = err.to_string();
    assert!(text.contains("still active"), "{text}");
    assert!(text.contains("rolebar rotate default --delete-key ****E001"), "{text}");
    assert_eq!(
        stored(&w, "default"),
        "AKIANEWKEYEXAMPLEN01",
        "the working new key is kept"
    );
    assert_no_secret(&text);
}

#[tokio::test]
async fn an_old_key_iam_no_longer_has_is_not_reported_as_still_active() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    // What the SDK's retry of a DeleteAccessKey whose first reply was lost gets.
    iam.state().fail_delete = Some((
        Which::Old,
        IamFailure::NoSuchKey {
            message: "The Access Key with id AKIA... cannot be found".into(),
        },
    ));
    let report = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect("rotated");
    assert!(report.notes.join(" ").contains("already deleted"), "{:?}", report.notes);
    assert_eq!(stored(&w, "default"), "AKIANEWKEYEXAMPLEN01");
}

#[tokio::test]
async fn the_new_key_is_tried_until_iam_accepts_it_on_injected_time() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    iam.state().reject_checks = 4;
    let waits = Arc::new(Waits::default());
    let report = rotator(&iam, &waits)
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect("rotated");
    let ms: Vec<u128> = waits.0.lock().expect("waits").iter().map(|d| d.as_millis()).collect();
    assert_eq!(ms, [500, 1000, 2000, 3000]);
    assert_eq!((report.checks, report.waited), (5, StdDuration::from_millis(6500)));
}

#[tokio::test]
async fn a_key_never_accepted_within_15_s_is_given_up_and_deleted_again() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    iam.state().reject_checks = u32::MAX;
    let waits = Arc::new(Waits::default());
    let err = rotator(&iam, &waits)
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("never accepted");
    assert_eq!(err.code(), "rotate_aborted");
    let total: StdDuration = waits.0.lock().expect("waits").iter().sum();
    assert_eq!(total, StdDuration::from_secs(15));
    assert!(err.to_string().contains("after 15 s"), "{err}");
    assert_eq!(stored(&w, "default"), OLD_ID);
    assert_eq!(iam.ids(), [OLD_ID]);
}

#[tokio::test]
async fn with_mfa_one_code_serves_the_whole_rotation() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    let prompt = Prompt::default();
    let report = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "mfa", &prompt)
        .await
        .expect("rotated");
    assert_eq!(prompt.0.load(Ordering::SeqCst), 1, "one code for create and delete");
    assert_eq!(w.sts.calls.load(Ordering::SeqCst), 1);
    assert_eq!(report.mfa, MfaUse::Asked { at: NOW });
    // Every IAM call was signed by the MFA session, the delete of the old key included.
    let calls = iam.state().calls.clone();
    assert!(
        calls
            .iter()
            .filter(|c| !c.starts_with("Check"))
            .all(|c| c.ends_with(SESSION_ID)),
        "{calls:?}"
    );
    let notes = report.notes.join(" ");
    assert!(notes.contains("new code (from 12:00:30 UTC on)"), "{notes}");
    assert_eq!(stored(&w, "mfa"), "AKIANEWKEYEXAMPLEN01");
}

#[tokio::test]
async fn a_cached_mfa_session_is_reused_so_no_code_is_asked_twice_within_30_s() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    let prompt = Prompt::default();
    // `rolebar exec mfa` a few seconds before: one code.
    w.sessions.session("mfa", &prompt).await.expect("session");
    w.clock.advance(time::Duration::seconds(5));
    let report = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "mfa", &prompt)
        .await
        .expect("rotated");
    assert_eq!(prompt.0.load(Ordering::SeqCst), 1, "no second code");
    assert_eq!(w.sts.calls.load(Ordering::SeqCst), 1);
    assert_eq!(report.mfa, MfaUse::ReusedSession);
    assert!(
        report.notes.join(" ").contains("no MFA code was asked"),
        "{:?}",
        report.notes
    );
}

#[tokio::test]
async fn access_denied_without_mfa_serial_suggests_setting_it() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    iam.state().fail_create = Some(IamFailure::AccessDenied {
        message: "explicit deny".into(),
    });
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("denied");
    assert_eq!(err.code(), "iam_access_denied");
    assert!(
        err.to_string().contains("set `mfa_serial` on profile `default`"),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
}

fn no_reply() -> IamFailure {
    IamFailure::NoReply {
        endpoint: "IAM".into(),
        detail: "no answer in time".into(),
    }
}

fn calls(iam: &FakeIam) -> Vec<String> {
    iam.state().calls.clone()
}

#[tokio::test]
async fn a_lost_create_reply_deletes_the_key_iam_made_and_says_so() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    iam.state().lose_create_reply = Some(no_reply());
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("reply lost");
    assert_eq!(err.code(), "rotate_aborted");
    let text = err.to_string();
    assert!(
        text.contains("the new key ****EN01 was created but its reply was lost")
            && text.contains("Rolebar deleted it: nothing changed")
            && text.contains("no answer in time")
            && text.contains("old key ****E001, which still works"),
        "{text}"
    );
    assert_eq!(iam.ids(), [OLD_ID], "the key nobody holds is gone");
    assert_eq!(stored(&w, "default"), OLD_ID);
    assert_eq!(
        calls(&iam),
        [
            format!("List {OLD_ID}"),
            format!("Create {OLD_ID}"),
            format!("List {OLD_ID}"),
            format!("Delete(AKIANEWKEYEXAMPLEN01) {OLD_ID}"),
        ]
    );
    assert_no_secret(&text);
}

#[tokio::test]
async fn a_5xx_from_create_is_not_taken_as_a_refusal() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    iam.state().lose_create_reply = Some(IamFailure::ServerFault {
        code: "ServiceFailure".into(),
        message: "internal error".into(),
    });
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("5xx");
    assert_eq!(err.code(), "rotate_aborted", "{err}");
    assert!(!err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(iam.ids(), [OLD_ID]);
}

#[tokio::test]
async fn a_lost_reply_key_iam_lists_only_later_is_still_found_and_deleted() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    {
        let mut s = iam.state();
        s.lose_create_reply = Some(no_reply());
        s.hide_new_from_lists = 2;
    }
    let waits = Arc::new(Waits::default());
    let err = rotator(&iam, &waits)
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("reply lost");
    assert_eq!(err.code(), "rotate_aborted", "{err}");
    assert_eq!(iam.ids(), [OLD_ID]);
    let ms: Vec<u128> = waits.0.lock().expect("waits").iter().map(|d| d.as_millis()).collect();
    assert_eq!(ms, [500, 1000], "asked again on injected time until IAM lists it");
}

#[tokio::test]
async fn a_lost_reply_without_a_new_key_says_nothing_was_changed_only_after_checking() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    // The request never reached IAM, though the client cannot tell.
    iam.state().fail_create = Some(no_reply());
    let waits = Arc::new(Waits::default());
    let err = rotator(&iam, &waits)
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("no reply");
    assert_eq!(err.code(), "iam_unreachable");
    let text = err.to_string();
    assert!(
        text.contains("IAM lists no new key") && text.contains("nothing was changed"),
        "{text}"
    );
    let lists = calls(&iam).iter().filter(|c| c.starts_with("List")).count();
    assert!(lists >= 2, "asked again before concluding: {:?}", calls(&iam));
    let total: StdDuration = waits.0.lock().expect("waits").iter().sum();
    assert_eq!(total, RotateOptions::default().relist_budget);
    assert_eq!(iam.ids(), [OLD_ID]);
}

#[tokio::test]
async fn a_lost_reply_key_that_cannot_be_deleted_is_named_with_the_commands_to_delete_it() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    {
        let mut s = iam.state();
        s.lose_create_reply = Some(IamFailure::NoReply {
            endpoint: "IAM".into(),
            detail: "connection closed before message completed".into(),
        });
        s.fail_delete = Some((
            Which::New,
            IamFailure::Unreachable {
                endpoint: "IAM".into(),
                detail: "connection refused".into(),
            },
        ));
    }
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("reply lost");
    assert_eq!(err.code(), "rotate_new_key_left");
    let text = err.to_string();
    assert!(
        text.contains("****EN01 was created but its reply was lost") && text.contains("connection refused"),
        "{text}"
    );
    assert!(text.contains("rolebar rotate default --delete-key ****EN01"), "{text}");
    assert!(
        text.contains("aws iam delete-access-key --access-key-id") && text.contains("ending EN01"),
        "{text}"
    );
    assert!(text.contains("`oppara`"), "{text}");
    assert!(!text.contains("nothing"), "{text}");
    assert_no_secret(&text);

    // The command it names deletes that key.
    iam.state().fail_delete = None;
    let deleted = rotator(&iam, &Arc::default())
        .delete_key(&w.sessions, "default", "****EN01", &Prompt::default())
        .await
        .expect("deleted");
    assert_eq!(deleted.key, "****EN01");
    assert_eq!(iam.ids(), [OLD_ID]);
}

#[tokio::test]
async fn a_lost_reply_that_cannot_be_checked_says_a_stray_key_may_exist() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    {
        let mut s = iam.state();
        s.lose_create_reply = Some(no_reply());
        s.fail_list_after_create = Some(IamFailure::Unreachable {
            endpoint: "IAM".into(),
            detail: "connection refused".into(),
        });
    }
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("reply lost");
    assert_eq!(err.code(), "rotate_outcome_unknown");
    let text = err.to_string();
    assert!(
        text.contains("A new key may exist at AWS")
            && text.contains("ListAccessKeys failed too")
            && text.contains("aws iam list-access-keys")
            && text.contains("rolebar rotate default --delete-key"),
        "{text}"
    );
    assert!(!text.contains("nothing was changed"), "{text}");
    assert_no_secret(&text);
    assert_eq!(stored(&w, "default"), OLD_ID);
}

#[tokio::test]
async fn a_lost_reply_when_listing_is_not_allowed_deletes_no_key_it_cannot_tell_apart() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    {
        let mut s = iam.state();
        s.lose_create_reply = Some(no_reply());
        s.deny_list = true;
    }
    let err = rotator(&iam, &Arc::default())
        .rotate(&w.sessions, "default", &Prompt::default())
        .await
        .expect_err("reply lost");
    assert_eq!(err.code(), "rotate_outcome_unknown");
    let text = err.to_string();
    assert!(
        text.contains("does not allow ListAccessKeys") && text.contains("may exist"),
        "{text}"
    );
    assert_eq!(iam.ids().len(), 2, "no key deleted blind");
}

#[tokio::test]
async fn a_clear_refusal_of_create_changes_nothing_and_looks_for_no_stray_key() {
    for refusal in [
        IamFailure::AccessDenied {
            message: "explicit deny".into(),
        },
        IamFailure::Other {
            code: "Throttling".into(),
            message: "Rate exceeded".into(),
        },
        IamFailure::Unreachable {
            endpoint: "IAM".into(),
            detail: "connection refused".into(),
        },
    ] {
        let w = world();
        let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
        iam.state().fail_create = Some(refusal.clone());
        let err = rotator(&iam, &Arc::default())
            .rotate(&w.sessions, "default", &Prompt::default())
            .await
            .expect_err("refused");
        assert!(err.to_string().contains("nothing was changed"), "{refusal:?}: {err}");
        assert_eq!(
            calls(&iam),
            [format!("List {OLD_ID}"), format!("Create {OLD_ID}")],
            "{refusal:?}"
        );
    }
}

#[tokio::test]
async fn file_keys_and_role_profiles_are_refused_with_what_to_do() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    let r = rotator(&iam, &Arc::default());
    let err = r
        .rotate(&w.sessions, "filed", &Prompt::default())
        .await
        .expect_err("file keys");
    assert_eq!(err.code(), "rotate_not_keyring_keys");
    assert!(
        err.to_string().contains("rolebar add filed --from-credentials-file"),
        "{err}"
    );
    let err = r
        .rotate(&w.sessions, "dev", &Prompt::default())
        .await
        .expect_err("role");
    assert!(err.to_string().contains("rolebar rotate default"), "{err}");
    assert!(iam.state().calls.is_empty(), "no IAM call");
}

#[tokio::test]
async fn delete_key_refuses_the_keyring_key_and_unknown_ones() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET), (OTHER_ID, "x")]);
    let r = rotator(&iam, &Arc::default());
    let err = r
        .delete_key(&w.sessions, "default", "****E001", &Prompt::default())
        .await
        .expect_err("keyring key");
    assert!(err.to_string().contains("in use"), "{err}");
    let err = r
        .delete_key(&w.sessions, "default", "ZZZZ", &Prompt::default())
        .await
        .expect_err("none");
    assert_eq!(err.code(), "rotate_key_not_found");
    assert!(err.to_string().contains("****PL02"), "{err}");
    let done = r
        .delete_key(&w.sessions, "default", "PL02", &Prompt::default())
        .await
        .expect("deleted");
    assert_eq!(done.key, "****PL02");
    assert_eq!(iam.ids(), [OLD_ID]);
}

#[tokio::test]
async fn refresh_age_records_iam_creation_date() {
    let w = world();
    let iam = FakeIam::with_keys(&[(OLD_ID, OLD_SECRET)]);
    let age = rotator(&iam, &Arc::default())
        .refresh_age(&w.sessions, "default", &Prompt::default())
        .await
        .expect("age");
    assert_eq!(
        (age.since, age.known_from),
        (datetime!(2026-08-01 09:00 UTC), AgeSource::Iam)
    );
    assert_eq!(age.describe(NOW), "key created 2026-08-01 (116 days)");
    // Not allowed to list: the date it was added stays.
    iam.state().deny_list = true;
    let age = rotator(&iam, &Arc::default())
        .refresh_age(&w.sessions, "mfa", &Prompt::default())
        .await
        .expect("age");
    assert_eq!(age.known_from, AgeSource::Added);
    assert_eq!(age.describe(NOW), "key added 2026-09-01 (85 days)");
}

/// The real SDK client ([`SdkIam`]) against a small IAM on a loopback socket that can lose a
/// CreateAccessKey reply after making the key: what the SDK's errors become, and whether the
/// SDK retries the call (a retry would make a second key).
mod over_http {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum CreateReply {
        /// Makes the key, closes the connection without a byte of reply.
        CloseAfterMaking,
        /// Makes the key, sends the status line, headers and part of the body, then closes.
        CutAfterMaking,
        /// Makes the key, answers 200 with a body that is not IAM's.
        GarbageAfterMaking,
        /// Makes the key, answers 500 InternalFailure.
        FaultAfterMaking,
        /// Makes nothing, answers 403 AccessDenied.
        Denied,
    }

    #[derive(Debug)]
    struct MiniState {
        keys: Vec<String>,
        actions: Vec<String>,
        create: CreateReply,
        made: u32,
    }

    #[derive(Debug, Clone)]
    struct MiniIam {
        url: String,
        state: Arc<Mutex<MiniState>>,
    }

    impl MiniIam {
        async fn start(create: CreateReply) -> MiniIam {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
            let url = format!("http://{}", listener.local_addr().expect("addr"));
            let state = Arc::new(Mutex::new(MiniState {
                keys: vec![OLD_ID.to_string()],
                actions: Vec::new(),
                create,
                made: 0,
            }));
            let shared = state.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, shared.clone()));
                }
            });
            MiniIam { url, state }
        }

        fn state(&self) -> std::sync::MutexGuard<'_, MiniState> {
            self.state.lock().unwrap_or_else(|p| p.into_inner())
        }

        fn at(&self, w: &World) -> IamAt {
            let resolved = w
                .sessions
                .profiles()
                .expect("profiles")
                .resolve("default")
                .expect("resolve");
            IamAt {
                iam_url: Some(self.url.clone()),
                ..IamAt::for_profile(&resolved).expect("iam endpoint")
            }
        }
    }

    /// One request's body (form-encoded), or None when the client went away.
    async fn read_body(stream: &mut TcpStream) -> Option<String> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    return Some(String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned());
                }
            }
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }

    fn param<'a>(body: &'a str, name: &str) -> Option<&'a str> {
        body.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    }

    fn reply(status: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    fn error(status: &str, code: &str) -> String {
        reply(
            status,
            &format!("<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{code} from the test IAM</Message></Error><RequestId>r</RequestId></ErrorResponse>"),
        )
    }

    const NS: &str = "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"";

    async fn serve(mut stream: TcpStream, state: Arc<Mutex<MiniState>>) {
        let Some(body) = read_body(&mut stream).await else {
            return;
        };
        let action = param(&body, "Action").unwrap_or_default().to_string();
        let answer = {
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            s.actions.push(action.clone());
            match action.as_str() {
                "ListAccessKeys" => {
                    let members: String = s
                        .keys
                        .iter()
                        .map(|id| format!("<member><UserName>oppara</UserName><AccessKeyId>{id}</AccessKeyId><Status>Active</Status><CreateDate>2026-08-01T09:00:00Z</CreateDate></member>"))
                        .collect();
                    Some(reply("200 OK", &format!("<ListAccessKeysResponse {NS}><ListAccessKeysResult><AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListAccessKeysResponse>")))
                }
                "CreateAccessKey" if s.create == CreateReply::Denied => Some(error("403 Forbidden", "AccessDenied")),
                "CreateAccessKey" if s.keys.len() >= 2 => Some(error("409 Conflict", "LimitExceeded")),
                "CreateAccessKey" => {
                    s.made += 1;
                    let id = format!("AKIANEWKEYEXAMPLEN{:02}", s.made);
                    s.keys.push(id.clone());
                    let normal = reply("200 OK", &format!("<CreateAccessKeyResponse {NS}><CreateAccessKeyResult><AccessKey><UserName>oppara</UserName><AccessKeyId>{id}</AccessKeyId><Status>Active</Status><SecretAccessKey>new-secret-VALUE/{}</SecretAccessKey><CreateDate>2026-11-25T12:00:10Z</CreateDate></AccessKey></CreateAccessKeyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateAccessKeyResponse>", s.made));
                    match s.create {
                        CreateReply::Denied => Some(normal),
                        CreateReply::CloseAfterMaking => None,
                        CreateReply::CutAfterMaking => Some(normal[..normal.len() - 120].to_string()),
                        CreateReply::GarbageAfterMaking => Some(reply("200 OK", "<html>a captive portal</html>")),
                        CreateReply::FaultAfterMaking => Some(error("500 Internal Server Error", "InternalFailure")),
                    }
                }
                "DeleteAccessKey" => {
                    let id = param(&body, "AccessKeyId").unwrap_or_default().to_string();
                    let before = s.keys.len();
                    s.keys.retain(|k| *k != id);
                    if s.keys.len() < before {
                        Some(reply("200 OK", &format!("<DeleteAccessKeyResponse {NS}><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteAccessKeyResponse>")))
                    } else {
                        Some(error("404 Not Found", "NoSuchEntity"))
                    }
                }
                _ => Some(error("400 Bad Request", "InvalidAction")),
            }
        };
        if let Some(answer) = answer {
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.flush().await;
        }
        let _ = stream.shutdown().await;
    }

    fn creates(iam: &MiniIam) -> usize {
        iam.state().actions.iter().filter(|a| *a == "CreateAccessKey").count()
    }

    #[tokio::test]
    async fn a_create_reply_cut_after_the_key_is_made_is_no_reply_and_is_not_retried() {
        let w = world();
        let signer = Credentials::long_term(OLD_ID, OLD_SECRET);
        for mode in [CreateReply::CloseAfterMaking, CreateReply::CutAfterMaking] {
            let iam = MiniIam::start(mode).await;
            let failure = SdkIam
                .create_access_key(&iam.at(&w), &signer)
                .await
                .expect_err("reply lost");
            assert!(
                matches!(failure, IamFailure::NoReply { .. }) && failure.may_have_taken_effect(),
                "{mode:?}: {failure:?}"
            );
            assert_eq!(creates(&iam), 1, "{mode:?}: a retry would make a second key");
            assert_eq!(iam.state().keys.len(), 2, "{mode:?}");
        }
    }

    #[tokio::test]
    async fn sdk_failures_are_told_apart_by_whether_the_call_may_have_taken_effect() {
        let w = world();
        let signer = Credentials::long_term(OLD_ID, OLD_SECRET);
        let garbage = MiniIam::start(CreateReply::GarbageAfterMaking).await;
        let f = SdkIam
            .create_access_key(&garbage.at(&w), &signer)
            .await
            .expect_err("garbage");
        assert!(f.may_have_taken_effect(), "an unreadable reply: {f:?}");
        let fault = MiniIam::start(CreateReply::FaultAfterMaking).await;
        let f = SdkIam.create_access_key(&fault.at(&w), &signer).await.expect_err("500");
        assert!(matches!(f, IamFailure::ServerFault { .. }), "{f:?}");
        assert_eq!(creates(&fault), 1, "not retried");
        let denied = MiniIam::start(CreateReply::Denied).await;
        let f = SdkIam
            .create_access_key(&denied.at(&w), &signer)
            .await
            .expect_err("403");
        assert!(
            matches!(f, IamFailure::AccessDenied { .. }) && !f.may_have_taken_effect(),
            "{f:?}"
        );
        // Nothing listens: the request was never sent.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            format!("http://{}", l.local_addr().expect("addr"))
        };
        let at = IamAt {
            iam_url: Some(closed),
            ..denied.at(&w)
        };
        let f = SdkIam.create_access_key(&at, &signer).await.expect_err("refused");
        assert!(
            matches!(f, IamFailure::Unreachable { .. }) && !f.may_have_taken_effect(),
            "{f:?}"
        );
        // A name that does not resolve (.invalid never does): not sent either.
        let at = IamAt {
            iam_url: Some("http://rolebar-test.invalid".into()),
            ..at
        };
        let f = SdkIam.create_access_key(&at, &signer).await.expect_err("no such name");
        assert!(!f.may_have_taken_effect(), "{f:?}");
    }

    /// [`SdkIam`] with IAM at the test's socket (STS is not reached on these paths).
    #[derive(Debug)]
    struct Redirected(String);

    impl Redirected {
        fn at(&self, at: &IamAt) -> IamAt {
            IamAt {
                iam_url: Some(self.0.clone()),
                ..at.clone()
            }
        }
    }

    #[async_trait::async_trait]
    impl KeyApi for Redirected {
        async fn list_access_keys(&self, at: &IamAt, signer: &Credentials) -> Result<Vec<AccessKeyMeta>, IamFailure> {
            SdkIam.list_access_keys(&self.at(at), signer).await
        }
        async fn create_access_key(&self, at: &IamAt, signer: &Credentials) -> Result<NewAccessKey, IamFailure> {
            SdkIam.create_access_key(&self.at(at), signer).await
        }
        async fn delete_access_key(&self, at: &IamAt, signer: &Credentials, key_id: &str) -> Result<(), IamFailure> {
            SdkIam.delete_access_key(&self.at(at), signer, key_id).await
        }
        async fn check_key(&self, _at: &IamAt, _keys: &Credentials) -> Result<(), IamFailure> {
            Err(IamFailure::Other {
                code: "not_here".into(),
                message: "no STS in this test".into(),
            })
        }
    }

    #[tokio::test]
    async fn a_rotation_whose_create_reply_is_cut_deletes_the_key_iam_made() {
        let w = world();
        let iam = MiniIam::start(CreateReply::CutAfterMaking).await;
        let err = Rotator::new(Arc::new(Redirected(iam.url.clone())), Arc::new(Waits::default()))
            .rotate(&w.sessions, "default", &Prompt::default())
            .await
            .expect_err("reply cut");
        let text = err.to_string();
        assert_eq!(err.code(), "rotate_aborted", "{text}");
        assert!(
            text.contains("****EN01 was created but its reply was lost") && text.contains("Rolebar deleted it"),
            "{text}"
        );
        assert_eq!(iam.state().keys, [OLD_ID], "no key nobody holds is left");
        assert_eq!(
            iam.state().actions,
            ["ListAccessKeys", "CreateAccessKey", "ListAccessKeys", "DeleteAccessKey"]
        );
        assert_eq!(stored(&w, "default"), OLD_ID);
        assert_no_secret(&text);
    }
}

#[test]
fn next_code_window_is_the_next_half_minute() {
    assert_eq!(
        next_code_window(datetime!(2026-11-25 12:00:10 UTC)),
        datetime!(2026-11-25 12:00:30 UTC)
    );
    assert_eq!(
        next_code_window(datetime!(2026-11-25 12:00:30 UTC)),
        datetime!(2026-11-25 12:01:00 UTC)
    );
}

mod reminders {
    use super::super::reminders::*;
    use crate::error_code::HasCode;
    use crate::keystore::keys::{AgeSource, KeyAge};
    use crate::schedule::ScheduleError;
    use crate::settings::{temp_settings_file, Section, Settings, SettingsFile, SettingsProblem};
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

    fn age(masked: &str, days: i64) -> KeyAge {
        KeyAge {
            profile: "default".into(),
            masked_key_id: masked.into(),
            since: NOW - Duration::days(days),
            known_from: AgeSource::Iam,
        }
    }

    #[test]
    fn a_key_100_days_old_is_reminded_once_a_week_and_not_after_rotation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ReminderFile::at(dir.path().join("key-reminders.json"));
        let settings = KeySettings::default();
        let old = [age("****MPLE", 100)];
        let due = reminders_due(&old, &settings, &file, NOW);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].days, 100);
        assert!(
            due[0].text(NOW).contains("rolebar rotate default"),
            "{}",
            due[0].text(NOW)
        );
        file.mark(&due, NOW).expect("mark");
        for later in [
            Duration::hours(1),
            Duration::days(3),
            Duration::days(6) + Duration::hours(23),
        ] {
            assert!(reminders_due(&old, &settings, &file, NOW + later).is_empty(), "{later}");
        }
        assert_eq!(reminders_due(&old, &settings, &file, NOW + Duration::days(7)).len(), 1);
        // Rotated: a new key id, created now. No reminder, also not once the week is over.
        let rotated = [KeyAge {
            since: NOW,
            ..age("****NEW1", 0)
        }];
        assert!(reminders_due(&rotated, &settings, &file, NOW + Duration::days(8)).is_empty());
        // A key at 89 days is not due yet; one at exactly 90 is.
        assert!(reminders_due(&[age("****A", 89)], &settings, &file, NOW).is_empty());
        assert_eq!(reminders_due(&[age("****B", 90)], &settings, &file, NOW).len(), 1);
    }

    #[test]
    fn rotate_after_0_never_reminds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ReminderFile::at(dir.path().join("key-reminders.json"));
        let never = KeySettings { rotate_after_days: 0 };
        assert!(reminders_due(&[age("****MPLE", 4000)], &never, &file, NOW).is_empty());
    }

    #[test]
    fn an_unreadable_state_file_only_repeats_a_reminder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key-reminders.json");
        std::fs::write(&path, "{not json").expect("write");
        let file = ReminderFile::at(&path);
        let due = reminders_due(&[age("****MPLE", 100)], &KeySettings::default(), &file, NOW);
        assert_eq!(due.len(), 1);
        file.mark(&due, NOW).expect("mark rewrites it");
        assert!(reminders_due(&[age("****MPLE", 100)], &KeySettings::default(), &file, NOW).is_empty());
    }

    fn keys_of(file: &SettingsFile) -> Result<KeySettings, SettingsProblem> {
        let settings = file.load();
        match settings.problem(Section::Keys) {
            Some(problem) => Err(problem.clone()),
            None => Ok(settings.keys),
        }
    }

    fn save_rotate_after(file: &SettingsFile, days: u32) -> Result<(), ScheduleError> {
        file.update(|settings| {
            settings.keys.rotate_after_days = days;
            Ok::<_, ScheduleError>(())
        })
        .map(drop)
    }

    #[test]
    fn settings_are_read_written_and_errors_name_the_file() {
        let (_dir, file) = temp_settings_file();
        let path = file.path();
        assert_eq!(keys_of(&file).expect("missing"), KeySettings::default());
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, r#"{"language": "ja", "keys": {"rotate_after": 30}}"#).expect("write");
        assert_eq!(keys_of(&file).expect("load").rotate_after_days, 30);
        save_rotate_after(&file, 0).expect("save");
        let loaded = keys_of(&file).expect("load");
        assert_eq!(loaded.rotate_after(), None);
        let text = std::fs::read_to_string(path).expect("read");
        assert!(text.contains("\"language\": \"ja\""), "{text}");
        let e = save_rotate_after(&file, 4000).expect_err("out of range");
        assert_eq!(e.code(), "invalid_keys_setting");
        assert_eq!(std::fs::read_to_string(path).expect("read"), text);
        for bad in [
            r#"{"keys": {"rotate_after": -1}}"#,
            r#"{"keys": {"rotate_after": "90"}}"#,
            r#"{"keys": {"rotate_after": 1.5}}"#,
            r#"{"keys": {"rotate_after": 4000}}"#,
            r#"{"keys": {"rotate_afer": 90}}"#,
            r#"{"keys": 90}"#,
            "{broken",
        ] {
            std::fs::write(path, bad).expect("write");
            let e = keys_of(&file).expect_err(bad);
            assert!(e.to_string().contains("settings.json"), "{bad}: {e}");
            assert!(
                save_rotate_after(&file, 10).is_err(),
                "a broken file is not overwritten: {bad}"
            );
            assert_eq!(std::fs::read_to_string(path).expect("read"), bad);
        }
        let settings = Settings::from_json(path, r#"{"keys": {"rotate_after": "90"}}"#);
        let e = settings.problem(Section::Keys).expect("string");
        assert_eq!(e.code(), "invalid_keys_setting");
    }
}
