//! The expiry schedule's rules through its public API: each level once, on time; nothing
//! repeated after a restart; logout and renewal cancel what was pending; a jump in time gives one
//! notification.

use rolebar_core::clock::{Clock, ManualClock};
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::store::MemoryStore;
use rolebar_core::schedule::{FiredState, Schedule, SessionRef, Warning, WarningKind};
use rolebar_core::session::cache::{CacheKey, SessionCache};
use rolebar_core::session::{Session, SessionKind};
use rolebar_core::Credentials;
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

fn session(profile: &str, expires_at: OffsetDateTime) -> SessionRef {
    SessionRef::new(
        CacheKey::Role {
            profile: profile.into(),
        }
        .entry(),
        profile,
        expires_at,
    )
}

fn dev() -> SessionRef {
    session("oppara-dev", T)
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

fn kinds(w: &[Warning]) -> Vec<WarningKind> {
    w.iter().map(|w| w.kind).collect()
}

/// Steps `now` from `from` to `to` by `step`, collecting `(now, warning)`.
fn walk(
    s: &mut Schedule,
    sessions: &[SessionRef],
    from: OffsetDateTime,
    to: OffsetDateTime,
    step: Duration,
) -> Vec<(OffsetDateTime, Warning)> {
    let mut out = Vec::new();
    let mut now = from;
    while now <= to {
        out.extend(s.due(sessions, now).into_iter().map(|w| (now, w)));
        now += step;
    }
    out
}

#[test]
fn each_threshold_and_the_expiry_fire_once_at_their_time() {
    let mut s = Schedule::default();
    let fired = walk(&mut s, &[dev()], T - mins(15), T + mins(30), Duration::seconds(5));
    let got: Vec<_> = fired.iter().map(|(at, w)| (*at, w.kind, w.text())).collect();
    assert_eq!(
        got,
        [
            (
                T - mins(10),
                WarningKind::Threshold(mins(10)),
                "oppara-dev expires in 10 min".to_string()
            ),
            (
                T - mins(2),
                WarningKind::Threshold(mins(2)),
                "oppara-dev expires in 2 min".to_string()
            ),
            (T, WarningKind::Expired, "oppara-dev expired".to_string()),
        ]
    );
    assert_eq!(fired[0].1.key, "session:AssumeRole:oppara-dev");
    assert_eq!(fired[0].1.profile, "oppara-dev");
    assert_eq!(fired[0].1.expires_at, T);
}

#[test]
fn next_deadline_walks_the_levels() {
    let mut s = Schedule::default();
    let sessions = [dev()];
    let mut now = T - mins(60);
    let mut deadlines = Vec::new();
    while let Some(next) = {
        s.due(&sessions, now);
        s.next_deadline(&sessions, now)
    } {
        assert!(next > now, "after due the deadline is ahead");
        deadlines.push(next);
        now = next;
    }
    assert_eq!(deadlines, [T - mins(10), T - mins(2), T]);
}

#[test]
fn configured_thresholds_are_used() {
    let mut s = Schedule::new(vec![mins(5), mins(30), Duration::seconds(30)]).expect("valid");
    let fired = walk(&mut s, &[dev()], T - mins(45), T, Duration::seconds(1));
    let at: Vec<_> = fired.iter().map(|(at, _)| T - *at).collect();
    assert_eq!(at, [mins(30), mins(5), Duration::seconds(30), Duration::ZERO]);
}

#[test]
fn a_restart_does_not_repeat_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("expiry-warnings.json");
    let mut first = Schedule::default();
    assert_eq!(
        kinds(&first.due(&[dev()], T - mins(10))),
        [WarningKind::Threshold(mins(10))]
    );
    assert!(first.take_changed());
    first.state().save(&path).expect("save");

    // The app restarts a minute later, and again after the 2-minute warning.
    let mut second = Schedule::default().with_state(FiredState::load(&path));
    assert!(second.due(&[dev()], T - mins(9)).is_empty(), "10 min not repeated");
    assert_eq!(second.next_deadline(&[dev()], T - mins(9)), Some(T - mins(2)));
    assert_eq!(
        kinds(&second.due(&[dev()], T - mins(2))),
        [WarningKind::Threshold(mins(2))]
    );
    second.state().save(&path).expect("save");

    let mut third = Schedule::default().with_state(FiredState::load(&path));
    assert!(third.due(&[dev()], T - mins(1)).is_empty(), "2 min not repeated");
    assert_eq!(kinds(&third.due(&[dev()], T)), [WarningKind::Expired]);
    third.state().save(&path).expect("save");

    let mut fourth = Schedule::default().with_state(FiredState::load(&path));
    assert!(fourth.due(&[dev()], T + mins(60)).is_empty(), "expiry not repeated");
    assert_eq!(fourth.next_deadline(&[dev()], T + mins(60)), None);
}

#[test]
fn a_restart_while_asleep_gives_one_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("expiry-warnings.json");
    let mut first = Schedule::default();
    first.due(&[dev()], T - mins(10));
    first.state().save(&path).expect("save");
    let mut second = Schedule::default().with_state(FiredState::load(&path));
    assert_eq!(kinds(&second.due(&[dev()], T + mins(3))), [WarningKind::Expired]);
}

#[test]
fn logout_cancels_and_prunes() {
    let mut s = Schedule::default();
    let other = session("oppara-prod", T + mins(30));
    s.due(&[dev(), other.clone()], T - mins(10));
    assert_eq!(s.state().keys().collect::<Vec<_>>(), ["session:AssumeRole:oppara-dev"]);
    s.take_changed();

    // oppara-dev logs out: its pending warnings never come.
    let left = [other.clone()];
    assert!(s.due(&left, T - mins(9)).is_empty());
    assert!(s.take_changed(), "pruning is saved");
    assert!(s.state().is_empty());
    let fired = walk(&mut s, &left, T - mins(9), T + mins(1), Duration::seconds(10));
    assert!(fired.is_empty(), "{fired:?}");
    assert_eq!(
        s.next_deadline(&left, T + mins(1)),
        Some(T + mins(20)),
        "only the other session is left"
    );
    assert_eq!(s.next_deadline(&[], T), None);
}

#[test]
fn logging_in_again_after_logout_is_a_new_session() {
    let mut s = Schedule::default();
    s.due(&[dev()], T - mins(10));
    s.due(&[], T - mins(9));
    let again = session("oppara-dev", T + mins(50));
    assert!(s.due(std::slice::from_ref(&again), T - mins(8)).is_empty());
    assert_eq!(s.next_deadline(&[again], T - mins(8)), Some(T + mins(40)));
}

#[test]
fn renewal_reschedules_and_the_old_levels_never_fire() {
    let mut s = Schedule::default();
    assert_eq!(s.due(&[dev()], T - mins(10)).len(), 1);
    let renewed = session("oppara-dev", T + mins(60));
    let sessions = [renewed.clone()];
    assert_eq!(s.next_deadline(&sessions, T - mins(5)), Some(T + mins(50)));
    let fired = walk(&mut s, &sessions, T - mins(5), T + mins(61), Duration::seconds(10));
    let got: Vec<_> = fired.iter().map(|(at, w)| (*at, w.kind, w.expires_at)).collect();
    assert_eq!(
        got,
        [
            (T + mins(50), WarningKind::Threshold(mins(10)), T + mins(60)),
            (T + mins(58), WarningKind::Threshold(mins(2)), T + mins(60)),
            (T + mins(60), WarningKind::Expired, T + mins(60)),
        ],
        "the renewed session gets fresh thresholds; the old 2-minute and expiry warnings never come"
    );
    assert_eq!(
        s.state().most_urgent_fired("session:AssumeRole:oppara-dev", T),
        None,
        "the old session is forgotten"
    );
}

#[test]
fn renewal_after_expiry_warns_again_for_the_new_session() {
    let mut s = Schedule::default();
    assert_eq!(kinds(&s.due(&[dev()], T + mins(1))), [WarningKind::Expired]);
    let renewed = session("oppara-dev", T + mins(61));
    assert!(s.due(std::slice::from_ref(&renewed), T + mins(2)).is_empty());
    assert_eq!(
        kinds(&s.due(&[renewed], T + mins(51))),
        [WarningKind::Threshold(mins(10))]
    );
}

#[test]
fn a_jump_over_two_thresholds_gives_one_notification() {
    let mut s = Schedule::default();
    assert!(s.due(&[dev()], T - mins(15)).is_empty());
    // The laptop sleeps from 15 to 1 minute before expiry.
    let w = s.due(&[dev()], T - mins(1));
    assert_eq!(kinds(&w), [WarningKind::Threshold(mins(2))]);
    assert_eq!(w[0].left, mins(1));
    assert_eq!(w[0].text(), "oppara-dev expires in 1 min");
    assert_eq!(
        s.state().most_urgent_fired(&dev().key, T),
        Some(WarningKind::Threshold(mins(2))),
        "the 10-minute warning counts as given"
    );
    assert!(s.due(&[dev()], T - Duration::seconds(30)).is_empty());
    assert_eq!(kinds(&s.due(&[dev()], T)), [WarningKind::Expired]);
}

#[test]
fn a_jump_past_expiry_gives_only_expired() {
    let mut s = Schedule::default();
    assert!(s.due(&[dev()], T - mins(15)).is_empty());
    let w = s.due(&[dev()], T + mins(90));
    assert_eq!(kinds(&w), [WarningKind::Expired]);
    assert_eq!(w[0].left, Duration::ZERO);
    assert_eq!(w[0].text(), "oppara-dev expired");
    assert!(walk(&mut s, &[dev()], T + mins(90), T + mins(120), Duration::seconds(30)).is_empty());
}

#[test]
fn expiry_fires_once() {
    let mut s = Schedule::new(vec![]).expect("no thresholds");
    let fired = walk(&mut s, &[dev()], T - mins(5), T + mins(5), Duration::seconds(1));
    assert_eq!(fired.len(), 1);
    assert_eq!((fired[0].0, fired[0].1.kind), (T, WarningKind::Expired));
}

#[test]
fn sessions_are_independent_and_warnings_come_soonest_first() {
    let mut s = Schedule::default();
    let a = session("a", T + mins(1));
    let b = session("b", T);
    let w = s.due(&[a.clone(), b.clone()], T - mins(9));
    assert_eq!(
        w.iter().map(|w| w.profile.as_str()).collect::<Vec<_>>(),
        ["b", "a"],
        "soonest to expire first"
    );
    assert_eq!(s.next_deadline(&[a.clone(), b.clone()], T - mins(9)), Some(T - mins(2)));
    assert_eq!(s.due(&[a.clone(), b.clone()], T - mins(2)).len(), 1);
    assert_eq!(s.due(&[a, b], T - mins(1)).len(), 1);
}

#[test]
fn changed_thresholds_do_not_bring_back_passed_levels() {
    // 2 minutes fired; the user then adds a 5-minute threshold: it lies behind, and stays quiet.
    let mut first = Schedule::default();
    first.due(&[dev()], T - mins(2));
    let mut second = Schedule::new(vec![mins(5), mins(1)])
        .expect("valid")
        .with_state(first.state().clone());
    assert!(second.due(&[dev()], T - Duration::seconds(90)).is_empty());
    assert_eq!(
        kinds(&second.due(&[dev()], T - mins(1))),
        [WarningKind::Threshold(mins(1))]
    );
}

#[test]
fn sessions_come_from_the_index_and_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(T - mins(30));
    let index = Index::at(dir.path().join("index.json"));
    let cache = SessionCache::new(Arc::new(MemoryStore::new()), index.clone(), Arc::new(clock.clone()));
    let s = Session {
        profile: "oppara-dev".into(),
        kind: SessionKind::AssumeRole,
        credentials: Credentials::temporary("ASIAEXAMPLE000000001", "secret", "token"),
        expires_at: T,
        issued_at: None,
        mfa_serial: None,
        role_arn: None,
        region: None,
    };
    cache
        .put(
            &CacheKey::Role {
                profile: "oppara-dev".into(),
            },
            &s,
        )
        .expect("put");
    let from_index = SessionRef::from_index(&index.read());
    let from_cache: Vec<SessionRef> = cache.list().iter().map(SessionRef::from).collect();
    assert_eq!(from_index, [dev()]);
    assert_eq!(from_cache, [dev()]);

    let mut schedule = Schedule::default();
    clock.set(T - mins(10));
    assert_eq!(schedule.due(&from_index, clock.now()).len(), 1);
    cache.clear("oppara-dev").expect("clear");
    assert!(schedule
        .due(&SessionRef::from_index(&index.read()), clock.now())
        .is_empty());
    assert!(schedule.state().is_empty(), "logout pruned the state");
}
