//! The refresh policy and what is watched (`rolebar_core::schedule::{policy, watched}`): pure
//! rules every front end follows.

use rolebar_core::schedule::policy::{plan, renewed_since, sign_in_plan, still_current, Plan, Refreshed};
use rolebar_core::schedule::watched::{sign_in_refs, signed_in_to, HeldSessions};
use rolebar_core::schedule::{ExpirySettings, SessionRef, Warning, WarningKind};
use std::collections::BTreeSet;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const EXPIRES: OffsetDateTime = datetime!(2026-11-25 13:00 UTC);

fn warning(profile: &str, left: Duration, kind: WarningKind) -> Warning {
    Warning {
        key: format!("session:AssumeRole:{profile}"),
        profile: profile.into(),
        expires_at: EXPIRES,
        left,
        kind,
    }
}

fn two_min() -> Warning {
    warning(
        "oppara-dev",
        Duration::minutes(2),
        WarningKind::Threshold(Duration::minutes(2)),
    )
}

fn auto_refreshing_oppara_dev() -> ExpirySettings {
    ExpirySettings {
        auto_refresh: BTreeSet::from(["oppara-dev".to_string()]),
        ..ExpirySettings::default()
    }
}

#[test]
fn auto_refresh_is_for_listed_profiles_before_the_end() {
    let settings = auto_refreshing_oppara_dev();
    assert_eq!(plan(&two_min(), &settings, None), Plan::AutoRefresh);
    let ten = warning(
        "oppara-dev",
        Duration::minutes(10),
        WarningKind::Threshold(Duration::minutes(10)),
    );
    assert_eq!(plan(&ten, &settings, None), Plan::AutoRefresh);
    let expired = warning("oppara-dev", Duration::ZERO, WarningKind::Expired);
    assert_eq!(
        plan(&expired, &settings, None),
        Plan::Notify,
        "at the end, tell the user"
    );
    let other = warning(
        "oppara-prod",
        Duration::minutes(2),
        WarningKind::Threshold(Duration::minutes(2)),
    );
    assert_eq!(plan(&other, &settings, None), Plan::Notify);
    assert_eq!(
        plan(&two_min(), &ExpirySettings::default(), None),
        Plan::Notify,
        "off by default"
    );
}

#[test]
fn auto_refresh_does_not_chase_its_own_sessions() {
    let settings = auto_refreshing_oppara_dev();
    let ten = warning(
        "oppara-dev",
        Duration::minutes(9),
        WarningKind::Threshold(Duration::minutes(10)),
    );
    // Made with 9 minutes left: inside the 10-minute threshold from the start.
    assert_eq!(plan(&ten, &settings, Some(Duration::minutes(9))), Plan::Skip);
    // Made with 12 minutes left: it would be renewed again 2 minutes later.
    assert_eq!(plan(&ten, &settings, Some(Duration::minutes(12))), Plan::Skip);
    // A 1-hour session reaching 10 minutes: renewed as usual.
    assert_eq!(plan(&ten, &settings, Some(Duration::hours(1))), Plan::AutoRefresh);
    // The 9-minute session's 2-minute warning: 7 minutes after it was made.
    assert_eq!(
        plan(&two_min(), &settings, Some(Duration::minutes(9))),
        Plan::AutoRefresh
    );
    let expired = warning("oppara-dev", Duration::ZERO, WarningKind::Expired);
    assert_eq!(plan(&expired, &settings, Some(Duration::minutes(9))), Plan::Notify);
}

#[test]
fn only_the_session_auto_refresh_made_counts_as_made_by_it() {
    let refreshed = Refreshed::default();
    let now = EXPIRES - Duration::minutes(9);
    refreshed.made_now(&two_min().key, EXPIRES, now);
    assert_eq!(refreshed.born_left(&two_min()), Some(Duration::minutes(9)));
    let later = Warning {
        expires_at: EXPIRES + Duration::hours(1),
        ..two_min()
    };
    assert_eq!(refreshed.born_left(&later), None, "another session under the same key");
}

#[test]
fn a_sign_in_is_renewed_quietly_but_never_again_and_again() {
    let at = |t: i64| Warning {
        key: "sso-sign-in:corp".into(),
        profile: "corp".into(),
        expires_at: EXPIRES,
        left: Duration::minutes(t),
        kind: WarningKind::Threshold(Duration::minutes(t)),
    };
    assert_eq!(sign_in_plan(&at(10), true, None), Plan::AutoRefresh);
    assert_eq!(
        sign_in_plan(&at(10), false, None),
        Plan::Notify,
        "nothing to renew it with"
    );
    // Renewed to a 1-hour token: renewed again at 10 minutes before its end…
    assert_eq!(sign_in_plan(&at(10), true, Some(Duration::hours(1))), Plan::AutoRefresh);
    // …but a 2-hour warning time would find every new 1-hour token inside it: left alone.
    assert_eq!(sign_in_plan(&at(120), true, Some(Duration::hours(1))), Plan::Skip);
    let ended = Warning {
        kind: WarningKind::Expired,
        left: Duration::ZERO,
        ..at(0)
    };
    assert_eq!(sign_in_plan(&ended, true, Some(Duration::hours(1))), Plan::AutoRefresh);
}

#[test]
fn renewed_and_gone_sessions_are_told_apart() {
    let w = two_min();
    let same = SessionRef::new(&w.key, "oppara-dev", EXPIRES);
    let newer = SessionRef::new(&w.key, "oppara-dev", EXPIRES + Duration::hours(1));
    let other = SessionRef::new("session:AssumeRole:x", "x", EXPIRES + Duration::hours(1));
    assert!(still_current(&w, std::slice::from_ref(&same)));
    assert!(!renewed_since(&w, std::slice::from_ref(&same)));
    assert!(!still_current(&w, std::slice::from_ref(&newer)));
    assert!(renewed_since(&w, &[newer, other.clone()]));
    assert!(!still_current(&w, std::slice::from_ref(&other)) && !renewed_since(&w, &[other]));
}

#[test]
fn sign_ins_are_watched_under_keys_of_their_own() {
    let refs = sign_in_refs([("corp", EXPIRES), ("https://old.awsapps.com/start", EXPIRES)]);
    assert_eq!(
        refs,
        [
            SessionRef::new("sso-sign-in:corp", "corp", EXPIRES),
            SessionRef::new(
                "sso-sign-in:https://old.awsapps.com/start",
                "https://old.awsapps.com/start",
                EXPIRES
            )
        ]
    );
    let warning = Warning {
        key: refs[1].key.clone(),
        profile: refs[1].profile.clone(),
        expires_at: EXPIRES,
        left: Duration::minutes(2),
        kind: WarningKind::Threshold(Duration::minutes(2)),
    };
    assert_eq!(signed_in_to(&warning), Some("https://old.awsapps.com/start"));
    assert_eq!(signed_in_to(&two_min()), None, "a session is not a sign-in");
}

#[test]
fn a_held_session_stays_watched_until_its_guard_drops() {
    let held = HeldSessions::default();
    let renewing = SessionRef::new("session:AssumeRole:oppara-dev", "oppara-dev", EXPIRES);
    let sign_in = SessionRef::new("sso-sign-in:corp", "corp", EXPIRES);
    assert!(held.watched(&[], vec![]).is_empty());
    {
        let _guard = held.hold(vec![renewing.clone()]);
        assert_eq!(
            held.watched(&[], vec![sign_in.clone()]),
            [renewing.clone(), sign_in.clone()],
            "taken out of the cache for a renewal, it is still watched"
        );
        // Holding it twice (two renewals at once) keeps it until both end.
        let second = held.hold(vec![renewing.clone()]);
        drop(second);
        assert_eq!(held.watched(&[], vec![]), std::slice::from_ref(&renewing));
    }
    assert!(held.watched(&[], vec![]).is_empty(), "the guard gave it back");
}
