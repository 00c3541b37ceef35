//! The tray menu as data: a pure function of the profiles, the sessions, what the app is doing
//! and the time. `tray.rs` turns it into a real menu; keeping it pure lets tests check every
//! label and the refresh schedule without a display.
//!
//! Linux trays report no plain clicks on the icon and show no tooltip or title beside it, so
//! everything — time left included — lives in the menu labels. The words come from the catalogue
//! of the language in force; a profile's or a session's label always starts with the profile
//! name, in every language (the e2e suite finds items by that prefix).

use crate::activity::{Activity, Shortcuts};
use crate::grouping::{self, Node};
use crate::i18n::Catalog;
use crate::views::{ProfileKind, ProfileView, SessionView, SignInView, Snapshot};
use std::collections::{BTreeSet, HashMap, HashSet};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconState {
    /// No session.
    Idle,
    /// At least one session, none ending within the expiring window.
    Active,
    /// A session ends within the expiring window: the longest expiry warning threshold (10
    /// minutes by default), so the icon turns as the first warning goes out.
    Expiring,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Item {
        id: String,
        label: String,
        enabled: bool,
    },
    Submenu {
        id: String,
        label: String,
        items: Vec<Entry>,
    },
    Separator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuModel {
    pub entries: Vec<Entry>,
    pub icon: IconState,
}

/// Up to this many profiles the menu lists them all at the top level, as it always did; more
/// and they go under Recent, Favourites and All profiles (grouped, see `grouping`).
pub const FLAT_UP_TO: usize = 15;
/// Live sessions shown at the top level; more and the rest go under "More sessions…" (as
/// Leapp does), so a day with many roles open still leaves the menu short.
pub const SESSIONS_SHOWN: usize = 10;
/// Recent profiles shown at the top level.
pub const RECENT_SHOWN: usize = 5;
/// Favourites shown at the top level; more and they go in a submenu of their own.
pub const FAVOURITES_SHOWN: usize = 10;

/// What a click on an item asks for. Ids are `kind:argument`, with the argument (a profile name
/// or a session's cache entry) taken whole after the first colon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Assume(String),
    CopyExports(String),
    /// Open the AWS console signed in with a session (by its cache entry).
    Console(String),
    WriteTo(String),
    LogOut(String),
    /// Take back a credentials-file section Rolebar wrote (by its profile name).
    TakeBack(String),
    /// Serve a profile's session on a local container-credentials endpoint, or stop.
    Serve(String),
    StopServing(String),
    /// Pin a profile to the favourites, or unpin it.
    Pin(String),
    Unpin(String),
    /// Sign in to an IAM Identity Center sign-in (by its name), or sign out of it.
    SignIn(String),
    SignOut(String),
    /// Open the quick switcher.
    FindProfile,
    OpenMain,
    Quit,
}

impl Action {
    pub fn id(&self) -> String {
        match self {
            Action::Assume(p) => format!("assume:{p}"),
            Action::CopyExports(s) => format!("copy:{s}"),
            Action::Console(s) => format!("console:{s}"),
            Action::WriteTo(s) => format!("write:{s}"),
            Action::LogOut(s) => format!("logout:{s}"),
            Action::TakeBack(p) => format!("takeback:{p}"),
            Action::Serve(p) => format!("serve:{p}"),
            Action::StopServing(p) => format!("stopserve:{p}"),
            Action::Pin(p) => format!("pin:{p}"),
            Action::Unpin(p) => format!("unpin:{p}"),
            Action::SignIn(n) => format!("signin:{n}"),
            Action::SignOut(n) => format!("signout:{n}"),
            Action::FindProfile => "find".to_string(),
            Action::OpenMain => "open".to_string(),
            Action::Quit => "quit".to_string(),
        }
    }

    pub fn parse(id: &str) -> Option<Action> {
        match id.split_once(':') {
            Some(("assume", p)) => Some(Action::Assume(p.to_string())),
            Some(("copy", s)) => Some(Action::CopyExports(s.to_string())),
            Some(("console", s)) => Some(Action::Console(s.to_string())),
            Some(("write", s)) => Some(Action::WriteTo(s.to_string())),
            Some(("logout", s)) => Some(Action::LogOut(s.to_string())),
            Some(("takeback", p)) => Some(Action::TakeBack(p.to_string())),
            Some(("serve", p)) => Some(Action::Serve(p.to_string())),
            Some(("stopserve", p)) => Some(Action::StopServing(p.to_string())),
            Some(("pin", p)) => Some(Action::Pin(p.to_string())),
            Some(("unpin", p)) => Some(Action::Unpin(p.to_string())),
            Some(("signin", n)) => Some(Action::SignIn(n.to_string())),
            Some(("signout", n)) => Some(Action::SignOut(n.to_string())),
            None if id == "find" => Some(Action::FindProfile),
            None if id == "open" => Some(Action::OpenMain),
            None if id == "quit" => Some(Action::Quit),
            _ => None,
        }
    }
}

/// The menu for `snapshot` at `now`; sessions ending within `expiring_within` turn the icon to
/// [`IconState::Expiring`].
pub fn build(
    snapshot: &Snapshot,
    activity: &Activity,
    shortcuts: &Shortcuts,
    now: OffsetDateTime,
    expiring_within: Duration,
    words: &Catalog,
) -> MenuModel {
    let mut entries = Vec::new();
    if let Some(error) = &snapshot.load_error {
        entries.push(disabled(
            "error:config",
            words.tr_args("menu-config-error", &[("error", shorten(&error.message, 90).into())]),
        ));
    } else if snapshot.profiles.is_empty() {
        entries.push(disabled("empty", words.tr("menu-no-profiles")));
    }
    // Many profiles: the switcher finds one by typing, and comes before everything else.
    let assumable = snapshot
        .profiles
        .iter()
        .filter(|p| p.kind != ProfileKind::Written)
        .count();
    if assumable > FLAT_UP_TO {
        entries.push(item(Action::FindProfile, words.tr("menu-find-profile")));
        entries.push(Entry::Separator);
    }
    // Sessions first: they are what one acts on (copy, write, log out), and with many profiles
    // they would otherwise sit below the fold.
    let live: Vec<&SessionView> = snapshot.sessions.iter().filter(|s| s.expires_at > now).collect();
    let favourite: HashSet<&str> = shortcuts.favourites.iter().map(String::as_str).collect();
    let mut more_sessions: Vec<Node<Entry>> = Vec::new();
    for (i, session) in live.iter().enumerate() {
        let pin = if favourite.contains(session.profile.as_str()) {
            item(Action::Unpin(session.profile.clone()), words.tr("menu-unpin"))
        } else {
            item(Action::Pin(session.profile.clone()), words.tr("menu-pin"))
        };
        let serve = match activity.serving.iter().find(|(p, _)| *p == session.profile) {
            Some((profile, address)) => item(
                Action::StopServing(profile.clone()),
                words.tr_args("menu-stop-serving", &[("address", address.as_str().into())]),
            ),
            None => item(Action::Serve(session.profile.clone()), words.tr("menu-serve")),
        };
        // One session more than fits is shown rather than hidden alone in a submenu.
        let shown_at_top = i < SESSIONS_SHOWN || live.len() <= SESSIONS_SHOWN + 1;
        let entry = Entry::Submenu {
            id: format!("session:{}", session.id),
            label: words.tr_args(
                "menu-session",
                &[
                    ("profile", session.profile.as_str().into()),
                    ("left", words.time_left_label(session.time_left(now)).into()),
                ],
            ),
            items: vec![
                item(Action::CopyExports(session.id.clone()), words.tr("menu-copy-exports")),
                item(Action::Console(session.id.clone()), words.tr("menu-console")),
                serve,
                item(Action::WriteTo(session.id.clone()), words.tr("menu-write")),
                item(Action::LogOut(session.id.clone()), words.tr("menu-log-out")),
                pin,
            ],
        };
        if shown_at_top {
            entries.push(entry);
        } else {
            more_sessions.push(Node::Leaf {
                key: session.profile.clone(),
                value: entry,
            });
        }
    }
    // An endpoint outlives the session it started with (it renews): it can always be stopped.
    for (profile, address) in &activity.serving {
        if !live.iter().any(|s| &s.profile == profile) {
            entries.push(item(
                Action::StopServing(profile.clone()),
                words.tr_args(
                    "menu-stop-serving-profile",
                    &[
                        ("profile", profile.as_str().into()),
                        ("address", address.as_str().into()),
                    ],
                ),
            ));
        }
    }
    if !more_sessions.is_empty() {
        entries.push(Entry::Submenu {
            id: "more-sessions".into(),
            label: words.tr_args("menu-more-sessions", &[("count", more_sessions.len().into())]),
            items: node_entries("more-sessions", grouping::bound(more_sessions)),
        });
    }

    // Sections Rolebar wrote are its output, not profiles to assume: they get their own part.
    let (written, profiles): (Vec<&ProfileView>, Vec<&ProfileView>) =
        snapshot.profiles.iter().partition(|p| p.kind == ProfileKind::Written);
    if !live.is_empty() && !profiles.is_empty() {
        entries.push(Entry::Separator);
    }
    if profiles.len() <= FLAT_UP_TO {
        entries.extend(profiles.iter().map(|p| profile_entry(p, &snapshot.asks_first, words)));
    } else {
        shortcut_parts(&mut entries, &profiles, &snapshot.asks_first, shortcuts, words);
    }

    // IAM Identity Center: each sign-in the profiles use, signed in (with its time left) or not.
    if !snapshot.sign_ins.is_empty() {
        entries.push(Entry::Separator);
    }
    for sign_in in &snapshot.sign_ins {
        if activity.signing_in.contains(&sign_in.name) {
            entries.push(disabled(
                &format!("signing-in:{}", sign_in.name),
                words.tr_args("menu-signing-in", &[("name", sign_in.name.as_str().into())]),
            ));
        } else {
            entries.push(sign_in_entry(sign_in, now, words));
        }
    }

    if !written.is_empty() {
        entries.push(Entry::Separator);
        entries.push(disabled(
            "written",
            words.tr_args(
                "menu-written-title",
                &[("file", snapshot.credentials_file.as_str().into())],
            ),
        ));
    }
    for profile in written {
        entries.push(written_entry(profile, now, words));
    }

    if !activity.busy.is_empty() || activity.last_error.is_some() || activity.agent_off.is_some() {
        entries.push(Entry::Separator);
    }
    if let Some(off) = &activity.agent_off {
        let label = match &off.taken_folder {
            Some(folder) => words.tr_args("menu-agent-off-taken", &[("folder", shorten(folder, 60).into())]),
            None => words.tr_args("menu-agent-off", &[("error", shorten(&off.error.message, 90).into())]),
        };
        entries.push(disabled("agent-off", label));
    }
    for profile in &activity.busy {
        entries.push(disabled(
            &format!("busy:{profile}"),
            words.tr_args("menu-busy", &[("profile", profile.as_str().into())]),
        ));
    }
    if let Some(error) = &activity.last_error {
        entries.push(disabled(
            "error:last",
            words.tr_args("menu-failed", &[("error", shorten(error, 90).into())]),
        ));
    }

    entries.push(Entry::Separator);
    entries.push(item(Action::OpenMain, words.tr("menu-open")));
    entries.push(item(Action::Quit, words.tr("menu-quit")));

    let icon = if live.iter().any(|s| s.time_left(now) <= expiring_within) {
        IconState::Expiring
    } else if live.is_empty() {
        IconState::Idle
    } else {
        IconState::Active
    };
    MenuModel { entries, icon }
}

/// Many profiles: the recent ones, the favourites, then every profile under All profiles,
/// grouped and bounded (see `grouping`), so the top level stays short at any count. A recent or
/// favourite profile is also under All profiles (the same item id twice: a click means the same).
fn shortcut_parts(
    entries: &mut Vec<Entry>,
    profiles: &[&ProfileView],
    asks_first: &BTreeSet<String>,
    shortcuts: &Shortcuts,
    words: &Catalog,
) {
    let by_name: HashMap<&str, &ProfileView> = profiles.iter().map(|p| (p.name.as_str(), *p)).collect();
    let known = |names: &[String]| -> Vec<&ProfileView> {
        let mut seen = HashSet::new();
        names
            .iter()
            .filter_map(|n| by_name.get(n.as_str()).copied())
            .filter(|p| seen.insert(p.name.as_str()))
            .collect()
    };
    let recent = known(&shortcuts.recent);
    if !recent.is_empty() {
        entries.push(disabled("recent", words.tr("menu-recent")));
        entries.extend(
            recent
                .iter()
                .take(RECENT_SHOWN)
                .map(|p| profile_entry(p, asks_first, words)),
        );
        entries.push(Entry::Separator);
    }
    let mut favourites = known(&shortcuts.favourites);
    if favourites.len() > FAVOURITES_SHOWN {
        favourites.sort_by(|a, b| a.name.cmp(&b.name));
        let leaves = favourites
            .iter()
            .map(|p| Node::Leaf {
                key: p.name.clone(),
                value: profile_entry(p, asks_first, words),
            })
            .collect();
        entries.push(Entry::Submenu {
            id: "favourites".into(),
            label: words.tr("menu-favourites"),
            items: node_entries("favourites", grouping::bound(leaves)),
        });
    } else if !favourites.is_empty() {
        entries.push(disabled("favourites", words.tr("menu-favourites")));
        entries.extend(favourites.iter().map(|p| profile_entry(p, asks_first, words)));
    }
    if !favourites.is_empty() {
        entries.push(Entry::Separator);
    }
    let all = profiles
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                grouping::group_of(p),
                profile_entry(p, asks_first, words),
            )
        })
        .collect();
    entries.push(Entry::Submenu {
        id: "all".into(),
        label: words.tr("menu-all-profiles"),
        items: node_entries("all", grouping::arrange(all)),
    });
}

/// Grouped nodes as menu entries; a submenu's id is its path of positions (`all:3.1`), unique
/// whatever the names.
fn node_entries(path: &str, nodes: Vec<Node<Entry>>) -> Vec<Entry> {
    nodes
        .into_iter()
        .enumerate()
        .map(|(i, node)| match node {
            Node::Leaf { value, .. } => value,
            Node::Group { label, children, .. } => {
                let id = if path.contains(':') {
                    format!("{path}.{i}")
                } else {
                    format!("{path}:{i}")
                };
                Entry::Submenu {
                    items: node_entries(&id, children),
                    id,
                    label,
                }
            }
        })
        .collect()
}

/// A profile's line: its name first (so it can be found by prefix), what it is, or why it
/// cannot be used (then disabled). A profile that asks before serving a program gets a quiet
/// mark after all that (`oppara-dev (role) · asks first`), so the line still starts the same.
fn profile_entry(profile: &ProfileView, asks_first: &BTreeSet<String>, words: &Catalog) -> Entry {
    let id = Action::Assume(profile.name.clone()).id();
    let name = || ("profile", profile.name.as_str().into());
    let (label, enabled) = match profile.kind {
        ProfileKind::Keys => (profile.name.clone(), true),
        ProfileKind::SessionToken => (words.tr_args("menu-profile-mfa", &[name()]), true),
        ProfileKind::Role => (words.tr_args("menu-profile-role", &[name()]), true),
        ProfileKind::Sso => (words.tr_args("menu-profile-sso", &[name()]), true),
        ProfileKind::Unsupported => {
            // The core's reason is English ("SSO: …"); its first word names the feature.
            let what = profile
                .problem
                .as_ref()
                .map(|p| p.message.split(':').next().unwrap_or("").to_string())
                .unwrap_or_default();
            (
                words.tr_args("menu-profile-unsupported", &[name(), ("what", what.into())]),
                false,
            )
        }
        // Listed apart by `written_entry`; never offered for assuming.
        ProfileKind::Written => (profile.name.clone(), false),
        ProfileKind::Invalid => {
            let code = profile
                .problem
                .as_ref()
                .map(|p| p.code.replace('_', " "))
                .unwrap_or_default();
            (
                words.tr_args("menu-profile-invalid", &[name(), ("code", code.into())]),
                false,
            )
        }
    };
    // Only on what can be assumed: a disabled line is served to nobody, asked or not.
    let label = if enabled && asks_first.contains(&profile.name) {
        words.tr_args("menu-profile-asks-first", &[("entry", label.into())])
    } else {
        label
    };
    Entry::Item { id, label, enabled }
}

/// A section Rolebar wrote: `oppara-dev-session — from oppara-dev, 37 min` (or `expired`), with
/// "Log out" to take it back. The label starts with the section's name, as profiles' do.
fn written_entry(profile: &ProfileView, now: OffsetDateTime, words: &Catalog) -> Entry {
    let written = profile.written.as_ref();
    let left = match written.and_then(|w| w.time_left(now)) {
        Some(left) if left.is_zero() => words.tr("time-expired"),
        Some(left) => words.tr_args("menu-written-left", &[("left", words.time_left_label(left).into())]),
        None => words.tr("menu-written-no-end"),
    };
    let name = ("profile", profile.name.as_str().into());
    let label = match written.and_then(|w| w.source_profile.as_deref()) {
        Some(source) => words.tr_args(
            "menu-written-from",
            &[name, ("source", source.into()), ("left", left.into())],
        ),
        None => words.tr_args("menu-written", &[name, ("left", left.into())]),
    };
    Entry::Submenu {
        id: format!("written:{}", profile.name),
        label,
        items: vec![item(Action::TakeBack(profile.name.clone()), words.tr("menu-log-out"))],
    }
}

/// A sign-in: "Sign in to corp…" while signed out; signed in, `corp — signed in, 7 h 59 min`
/// (or "renewed as needed" when only the refresh token is left) with Sign out in its submenu.
fn sign_in_entry(sign_in: &SignInView, now: OffsetDateTime, words: &Catalog) -> Entry {
    let name = ("name", sign_in.name.as_str().into());
    if !sign_in.signed_in(now) {
        return item(
            Action::SignIn(sign_in.name.clone()),
            words.tr_args("menu-sign-in", &[name]),
        );
    }
    let label = match sign_in.expires_at.filter(|at| *at > now) {
        Some(at) => words.tr_args(
            "menu-signed-in",
            &[name, ("left", words.time_left_label(at - now).into())],
        ),
        None => words.tr_args("menu-signed-in-renewable", &[name]),
    };
    Entry::Submenu {
        id: format!("sign-in:{}", sign_in.name),
        label,
        items: vec![item(Action::SignOut(sign_in.name.clone()), words.tr("menu-sign-out"))],
    }
}

fn item(action: Action, label: String) -> Entry {
    Entry::Item {
        id: action.id(),
        label,
        enabled: true,
    }
}

fn disabled(id: &str, label: String) -> Entry {
    Entry::Item {
        id: id.to_string(),
        label,
        enabled: false,
    }
}

/// At most `max` characters, with an ellipsis when cut (menus do not wrap).
fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= max && !text.contains('\n') {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

impl MenuModel {
    /// Same items in the same places (ids, kinds, enabled): then only labels and the icon need
    /// updating, not a new menu.
    pub fn same_shape(&self, other: &MenuModel) -> bool {
        fn shape(entries: &[Entry], out: &mut Vec<String>) {
            for e in entries {
                match e {
                    Entry::Item { id, enabled, .. } => out.push(format!("item {id} {enabled}")),
                    Entry::Separator => out.push("-".to_string()),
                    Entry::Submenu { id, items, .. } => {
                        out.push(format!("submenu {id} ["));
                        shape(items, out);
                        out.push("]".to_string());
                    }
                }
            }
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        shape(&self.entries, &mut a);
        shape(&other.entries, &mut b);
        a == b
    }

    /// The submenus' own labels (`oppara-dev — 37 min`), in order. The tray host does not show
    /// a submenu's label changed in place (libayatana's dbusmenu export keeps the old one, seen
    /// end to end), so when these differ the tray builds a new menu instead.
    pub fn submenu_labels(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Submenu { label, .. } => Some(label.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every (id, label) pair, submenus included, for updating labels in place.
    pub fn labels(&self) -> Vec<(&str, &str)> {
        fn walk<'a>(entries: &'a [Entry], out: &mut Vec<(&'a str, &'a str)>) {
            for e in entries {
                match e {
                    Entry::Item { id, label, .. } => out.push((id, label)),
                    Entry::Submenu { id, label, items } => {
                        out.push((id, label));
                        walk(items, out);
                    }
                    Entry::Separator => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.entries, &mut out);
        out
    }
}

/// When a label of the menu next changes by itself: the first moment a countdown's minute count
/// drops (which also covers reaching zero) or a session enters its last `expiring_within` (the
/// icon turns), and at the latest the next wall-clock minute. `None` when nothing counts down
/// (`expiries`: the sessions', sign-ins' and written sections' ends): then only a change wakes
/// the refresher (`file_watch` follows the files the menu is read from). Never busy-waits: at
/// most one wake-up per minute plus two per countdown per minute.
pub fn next_refresh(
    now: OffsetDateTime,
    expiries: impl IntoIterator<Item = OffsetDateTime>,
    expiring_within: Duration,
) -> Option<OffsetDateTime> {
    let minute = Duration::minutes(1);
    let mut next: Option<OffsetDateTime> = None;
    for expiry in expiries {
        if expiry <= now {
            continue;
        }
        let left = expiry - now;
        let mut until_drop = Duration::nanoseconds((left.whole_nanoseconds() % minute.whole_nanoseconds()) as i64);
        if until_drop == Duration::ZERO {
            until_drop = minute;
        }
        let mut at = (now + until_drop).min(next_wall_minute(now));
        let turns = expiry - expiring_within;
        if turns > now {
            at = at.min(turns);
        }
        next = Some(next.map_or(at, |n| n.min(at)));
    }
    next
}

/// The next wall-clock minute after `now` (strictly later): the refresher's wake-up when the
/// files it reads cannot be followed.
pub fn next_wall_minute(now: OffsetDateTime) -> OffsetDateTime {
    let minute = Duration::minutes(1);
    let into_minute = Duration::seconds(now.second().into()) + Duration::nanoseconds(now.nanosecond().into());
    now + (minute - into_minute)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CommandError;
    use crate::i18n::Language;
    use crate::views::AgentOffView;
    use crate::views::SessionKindView;
    use time::macros::datetime;

    fn en() -> &'static Catalog {
        Catalog::get(Language::English)
    }

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00:20 UTC);
    const TEN_MIN: Duration = Duration::minutes(10);

    fn profile(name: &str, kind: ProfileKind, problem: Option<CommandError>) -> ProfileView {
        ProfileView {
            problem,
            ..ProfileView::bare(name, kind)
        }
    }

    fn session(profile: &str, left: Duration) -> SessionView {
        SessionView {
            id: format!("session:AssumeRole:{profile}"),
            profile: profile.into(),
            kind: SessionKindView::AssumeRole,
            expires_at: NOW + left,
            mfa_serial: None,
            role_arn: None,
            written_to: vec![],
        }
    }

    fn snapshot(sessions: Vec<SessionView>) -> Snapshot {
        Snapshot {
            sign_ins: Vec::new(),
            profiles: vec![
                profile("oppara", ProfileKind::SessionToken, None),
                profile("oppara-dev", ProfileKind::Role, None),
                profile("plain", ProfileKind::Keys, None),
                profile(
                    "corp",
                    ProfileKind::Unsupported,
                    Some(CommandError::new(
                        "unsupported_profile",
                        "SSO: IAM Identity Center is not supported yet",
                    )),
                ),
                profile(
                    "broken",
                    ProfileKind::Invalid,
                    Some(CommandError::new("profile_cycle", "…")),
                ),
            ],
            load_error: None,
            sessions,
            keys: vec![],
            credentials_file: "~/.aws/credentials".into(),
            asks_first: Default::default(),
        }
    }

    fn written(name: &str, source: Option<&str>, left: Duration) -> ProfileView {
        ProfileView {
            written: Some(crate::views::WrittenView {
                source_profile: source.map(str::to_string),
                expires_at: Some(NOW + left),
            }),
            ..ProfileView::bare(name, ProfileKind::Written)
        }
    }

    #[test]
    fn written_sections_are_listed_apart_with_their_source_and_time_and_no_assume() {
        let mut snap = snapshot(vec![session("oppara-dev", Duration::minutes(50))]);
        snap.profiles.insert(
            1,
            written(
                "oppara-dev-session",
                Some("oppara-dev"),
                Duration::seconds(37 * 60 + 15),
            ),
        );
        snap.profiles
            .push(written("old", Some("oppara"), -Duration::minutes(3)));
        snap.profiles.push(written("legacy", None, Duration::hours(2)));
        for (words, expected) in [
            (
                en(),
                [
                    "[Written to ~/.aws/credentials]",
                    "oppara-dev-session — from oppara-dev, 37 min left",
                    "old — from oppara, expired",
                    "legacy — 2 h 00 min left",
                ],
            ),
            (
                Catalog::get(Language::Japanese),
                [
                    "[~/.aws/credentials に書き込んだセッション]",
                    "oppara-dev-session — oppara-dev から、残り 37 分",
                    "old — oppara から、期限切れ",
                    "legacy — 残り 2 時間 0 分",
                ],
            ),
        ] {
            let model = build(&snap, &Activity::default(), &Shortcuts::default(), NOW, TEN_MIN, words);
            let l = labels(&model);
            let at = l
                .iter()
                .position(|x| x == expected[0])
                .unwrap_or_else(|| panic!("{l:?}"));
            assert_eq!(l[at..at + 4], expected, "{l:?}");
            // Not among the profiles (nothing to assume), and after the sessions.
            assert!(
                !model.entries.iter().any(|e| matches!(e, Entry::Item { id, .. } if id.starts_with("assume:old") || id == "assume:oppara-dev-session")),
                "{l:?}"
            );
            assert!(
                l.iter().position(|x| x.starts_with("oppara-dev — ")) < Some(at),
                "{l:?}"
            );
        }
        let model = build(&snap, &Activity::default(), &Shortcuts::default(), NOW, TEN_MIN, en());
        let sub = model
            .entries
            .iter()
            .find_map(|e| match e {
                Entry::Submenu { id, items, .. } if id == "written:oppara-dev-session" => Some(items.clone()),
                _ => None,
            })
            .expect("a submenu");
        assert_eq!(
            sub,
            [Entry::Item {
                id: "takeback:oppara-dev-session".into(),
                label: "Log out".into(),
                enabled: true,
            }]
        );
        assert_eq!(Action::parse("takeback:a:b"), Some(Action::TakeBack("a:b".into())));
    }

    fn labels(model: &MenuModel) -> Vec<String> {
        model
            .entries
            .iter()
            .map(|e| match e {
                Entry::Item {
                    label, enabled: true, ..
                }
                | Entry::Submenu { label, .. } => label.clone(),
                Entry::Item {
                    label, enabled: false, ..
                } => format!("[{label}]"),
                Entry::Separator => "---".to_string(),
            })
            .collect()
    }

    fn sign_in(name: &str, expires_at: Option<OffsetDateTime>, can_refresh: bool) -> SignInView {
        SignInView {
            name: name.into(),
            start_url: format!("https://{name}.awsapps.com/start"),
            expires_at,
            can_refresh,
            problem: None,
            profiles: vec![format!("{name}-admin")],
        }
    }

    #[test]
    fn sso_profiles_and_their_sign_ins_are_listed_with_time_left_and_sign_in_or_out() {
        let mut snap = snapshot(vec![]);
        snap.profiles = vec![profile("corp-admin", ProfileKind::Sso, None)];
        snap.sign_ins = vec![
            sign_in("corp", Some(NOW + Duration::minutes(95)), true),
            sign_in("old", Some(NOW - Duration::minutes(1)), false),
            sign_in("fresh", None, false),
            sign_in("kept", Some(NOW - Duration::minutes(1)), true),
        ];
        let signing_in = Activity {
            signing_in: vec!["fresh".into()],
            ..Activity::default()
        };
        let model = build(&snap, &signing_in, &Shortcuts::default(), NOW, TEN_MIN, en());
        assert!(
            labels(&model).contains(&"[Signing in to fresh in your browser…]".to_string()),
            "{:?}",
            labels(&model)
        );
        let model = build(&snap, &Activity::default(), &Shortcuts::default(), NOW, TEN_MIN, en());
        assert_eq!(
            labels(&model),
            [
                "corp-admin (SSO)",
                "---",
                "corp — signed in, 1 h 35 min",
                "Sign in to old…",
                "Sign in to fresh…",
                "kept — signed in (renewed as needed)",
                "---",
                "Open Rolebar…",
                "Quit",
            ]
        );
        let ids: Vec<String> = model
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Item { id, .. } => Some(id.clone()),
                Entry::Submenu { items, .. } => items.first().and_then(|i| match i {
                    Entry::Item { id, .. } => Some(id.clone()),
                    _ => None,
                }),
                Entry::Separator => None,
            })
            .collect();
        assert!(ids.contains(&"assume:corp-admin".to_string()), "{ids:?}");
        assert!(ids.contains(&"signout:corp".to_string()), "{ids:?}");
        assert!(ids.contains(&"signin:old".to_string()), "{ids:?}");
        assert_eq!(
            Action::parse("signin:https://x.awsapps.com/start"),
            Some(Action::SignIn("https://x.awsapps.com/start".into()))
        );
    }

    #[test]
    fn sessions_then_profiles_then_the_fixed_items() {
        let model = build(
            &snapshot(vec![session("oppara-dev", Duration::seconds(37 * 60 + 15))]),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        assert_eq!(
            labels(&model),
            [
                "oppara-dev — 37 min",
                "---",
                "oppara (MFA)",
                "oppara-dev (role)",
                "plain",
                "[corp — not supported: SSO]",
                "[broken — config error: profile cycle]",
                "---",
                "Open Rolebar…",
                "Quit",
            ]
        );
        let Entry::Submenu { items, .. } = &model.entries[0] else {
            panic!("a submenu")
        };
        let sub: Vec<_> = items
            .iter()
            .map(|e| match e {
                Entry::Item { id, label, .. } => (id.as_str(), label.as_str()),
                _ => ("", ""),
            })
            .collect();
        assert_eq!(
            sub,
            [
                ("copy:session:AssumeRole:oppara-dev", "Copy env exports"),
                ("console:session:AssumeRole:oppara-dev", "Open AWS console"),
                ("serve:oppara-dev", "Serve to containers…"),
                ("write:session:AssumeRole:oppara-dev", "Write to profile…"),
                ("logout:session:AssumeRole:oppara-dev", "Log out"),
                ("pin:oppara-dev", "Pin to favourites"),
            ]
        );
        assert_eq!(model.icon, IconState::Active);
    }

    #[test]
    fn the_icon_follows_the_soonest_session() {
        let idle = build(
            &snapshot(vec![]),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        assert_eq!(idle.icon, IconState::Idle);
        let soon = build(
            &snapshot(vec![
                session("a", Duration::hours(2)),
                session("b", Duration::minutes(10)),
            ]),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        assert_eq!(soon.icon, IconState::Expiring);
        let gone = build(
            &snapshot(vec![session("a", Duration::seconds(-1))]),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        assert_eq!(gone.icon, IconState::Idle, "an expired session is not shown");
        assert!(!labels(&gone).iter().any(|l| l.starts_with("a —")));
    }

    #[test]
    fn the_expiring_window_is_the_longest_warning_threshold() {
        let snap = snapshot(vec![session("a", Duration::minutes(25))]);
        let icon = |within| build(&snap, &Activity::default(), &Shortcuts::default(), NOW, within, en()).icon;
        assert_eq!(icon(TEN_MIN), IconState::Active);
        assert_eq!(icon(Duration::minutes(30)), IconState::Expiring);
        assert_eq!(
            icon(Duration::ZERO),
            IconState::Active,
            "no threshold: a live session never shows as expiring"
        );
    }

    #[test]
    fn busy_and_failed_actions_show_as_disabled_lines() {
        let activity = Activity {
            busy: vec!["oppara-dev".into()],
            last_error: Some("AWS said no\nmore".into()),
            ..Activity::default()
        };
        let model = build(&snapshot(vec![]), &activity, &Shortcuts::default(), NOW, TEN_MIN, en());
        let l = labels(&model);
        assert!(l.contains(&"[Getting a session for oppara-dev…]".to_string()), "{l:?}");
        assert!(l.contains(&"[Failed: AWS said no…]".to_string()), "{l:?}");
    }

    /// Issue 19, item 7d: the agent could not start (another user made its folder first): a
    /// disabled line says so in the menu, in both languages, not only the log.
    #[test]
    fn an_agent_that_is_off_says_why_in_the_menu() {
        let taken = rolebar_core::agent::AgentError::DirTaken {
            path: "/tmp/rolebar-1000".into(),
            owner: 1001,
            ours: 1000,
            fix: "Set XDG_RUNTIME_DIR".into(),
        };
        let activity = Activity {
            agent_off: Some(AgentOffView::new(&taken)),
            ..Activity::default()
        };
        let line = |words: &Catalog, activity: &Activity| {
            let model = build(&snapshot(vec![]), activity, &Shortcuts::default(), NOW, TEN_MIN, words);
            let off: Vec<String> = model
                .entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Item { id, label, enabled } if id == "agent-off" => {
                        assert!(!enabled, "a line to read, not an action");
                        Some(format!("[{label}]"))
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(off.len(), 1, "{:?}", labels(&model));
            off[0].clone()
        };
        assert_eq!(
            line(en(), &activity),
            "[Agent off: /tmp/rolebar-1000 belongs to another user]"
        );
        assert_eq!(
            line(Catalog::get(Language::Japanese), &activity),
            "[エージェント停止中: /tmp/rolebar-1000 は別のユーザーのものです]"
        );
        let unsafe_dir = rolebar_core::agent::AgentError::SocketUnsafe {
            path: "/run/user/1000/rolebar".into(),
            reason: "is open to other users (mode 0755)".into(),
            fix: "chmod 700".into(),
        };
        let other = Activity {
            agent_off: Some(AgentOffView::new(&unsafe_dir)),
            ..Activity::default()
        };
        assert!(line(en(), &other).starts_with("[Agent off: /run/user/1000/rolebar is open to other users"));
        let running = build(
            &snapshot(vec![]),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        assert!(!labels(&running).iter().any(|l| l.contains("Agent off")));
    }

    #[test]
    fn a_config_that_cannot_be_read_says_so() {
        let snap = Snapshot {
            sign_ins: Vec::new(),
            profiles: vec![],
            load_error: Some(CommandError::new(
                "config_syntax",
                "/h/.aws/config:3: expected `key = value`",
            )),
            sessions: vec![],
            keys: vec![],
            credentials_file: "~/.aws/credentials".into(),
            asks_first: Default::default(),
        };
        let l = labels(&build(
            &snap,
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        ));
        assert_eq!(
            l[0],
            "[Cannot read the AWS config: /h/.aws/config:3: expected `key = value`]"
        );
    }

    #[test]
    fn in_japanese_labels_still_start_with_the_profile_name() {
        let ja = Catalog::get(Language::Japanese);
        let model = build(
            &snapshot(vec![session("oppara-dev", Duration::seconds(65 * 60 + 15))]),
            &Activity {
                busy: vec!["oppara".into()],
                last_error: None,
                ..Activity::default()
            },
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            ja,
        );
        assert_eq!(
            labels(&model),
            [
                "oppara-dev — 残り 1 時間 5 分",
                "---",
                "oppara (MFA)",
                "oppara-dev (ロール)",
                "plain",
                "[corp — 未対応: SSO]",
                "[broken — 設定エラー: profile cycle]",
                "---",
                "[oppara のセッションを取得中…]",
                "---",
                "Rolebar を開く…",
                "終了",
            ]
        );
        let Entry::Submenu { items, .. } = &model.entries[0] else {
            panic!("a submenu")
        };
        let sub: Vec<_> = items
            .iter()
            .map(|e| match e {
                Entry::Item { label, .. } => label.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(
            sub,
            [
                "環境変数をコピー",
                "AWS コンソールを開く",
                "コンテナに提供…",
                "プロファイルに書き込む…",
                "ログアウト",
                "お気に入りに追加"
            ]
        );
    }

    #[test]
    fn only_labels_change_as_time_passes() {
        let snap = snapshot(vec![session("oppara-dev", Duration::minutes(37))]);
        let a = build(&snap, &Activity::default(), &Shortcuts::default(), NOW, TEN_MIN, en());
        let b = build(
            &snap,
            &Activity::default(),
            &Shortcuts::default(),
            NOW + Duration::minutes(1),
            TEN_MIN,
            en(),
        );
        assert_ne!(a, b);
        assert!(
            a.same_shape(&b),
            "a countdown updates labels, it does not rebuild the menu"
        );
        let c = build(
            &snapshot(vec![]),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        assert!(!a.same_shape(&c));
        assert!(b
            .labels()
            .contains(&("session:session:AssumeRole:oppara-dev", "oppara-dev — 36 min")));
        assert_ne!(
            a.submenu_labels(),
            b.submenu_labels(),
            "the countdown is in a submenu's label: the tray rebuilds for it"
        );
        assert_eq!(b.submenu_labels(), ["oppara-dev — 36 min"]);
    }

    #[test]
    fn refresh_waits_for_the_next_label_change_or_wall_minute() {
        // Nothing counts down: no timed wake-up (only a change wakes the refresher).
        assert_eq!(next_refresh(NOW, [], TEN_MIN), None);
        // 37m15s left: the count drops to 36 in 15 s.
        assert_eq!(
            next_refresh(NOW, [NOW + Duration::seconds(37 * 60 + 15)], TEN_MIN),
            Some(NOW + Duration::seconds(15))
        );
        // Exactly 5 minutes left: next drop in a minute, but the wall minute comes first (40 s).
        assert_eq!(
            next_refresh(NOW, [NOW + Duration::minutes(5)], TEN_MIN),
            Some(datetime!(2026-11-25 12:01:00 UTC))
        );
        // Ended countdowns are ignored.
        assert_eq!(next_refresh(NOW, [NOW - Duration::seconds(5)], TEN_MIN), None);
        // A 90 s window: the icon turns at 1m30s left, between two minute drops (10 s from now).
        assert_eq!(
            next_refresh(NOW, [NOW + Duration::seconds(100)], Duration::seconds(90)),
            Some(NOW + Duration::seconds(10))
        );
        // Several: the first change of any.
        assert_eq!(
            next_refresh(
                NOW,
                [NOW + Duration::seconds(37 * 60 + 15), NOW + Duration::seconds(65)],
                TEN_MIN
            ),
            Some(NOW + Duration::seconds(5))
        );
    }

    #[test]
    fn the_wall_minute_is_always_strictly_later() {
        assert_eq!(next_wall_minute(NOW), datetime!(2026-11-25 12:01:00 UTC));
        let on_the_minute = datetime!(2026-11-25 12:00:00 UTC);
        assert_eq!(next_wall_minute(on_the_minute), datetime!(2026-11-25 12:01:00 UTC));
    }

    /// `count` role profiles `role-0000`… from seven source profiles, and a session.
    fn many(count: usize) -> Snapshot {
        Snapshot {
            sign_ins: Vec::new(),
            profiles: (0..count)
                .map(|i| ProfileView {
                    source_profile: Some(format!("src{}", i % 7)),
                    ..ProfileView::bare(&format!("role-{i:04}"), ProfileKind::Role)
                })
                .collect(),
            load_error: None,
            sessions: vec![session("role-0005", Duration::minutes(30))],
            keys: vec![],
            credentials_file: "~/.aws/credentials".into(),
            asks_first: Default::default(),
        }
    }

    /// Every `assume:` id under `entries` (submenus included), checking no submenu is too long.
    fn assume_ids(entries: &[Entry], out: &mut Vec<String>) {
        for e in entries {
            match e {
                Entry::Item { id, .. } if id.starts_with("assume:") => out.push(id.clone()),
                Entry::Submenu { id, items, .. } => {
                    assert!(items.len() <= grouping::MAX_SUBMENU, "{id}: {} entries", items.len());
                    assume_ids(items, out);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn a_served_profile_offers_stop_in_its_session_and_after_its_session_is_gone() {
        let activity = Activity {
            serving: vec![("role-0005".into(), "127.0.0.1:4242".into())],
            ..Activity::default()
        };
        let model = build(&many(3), &activity, &Shortcuts::default(), NOW, TEN_MIN, en());
        let Entry::Submenu { items, .. } = &model.entries[0] else {
            panic!("the session")
        };
        assert!(items.contains(&Entry::Item {
            id: "stopserve:role-0005".into(),
            label: "Stop serving to containers (127.0.0.1:4242)".into(),
            enabled: true,
        }));
        let idle = build(
            &many(3),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        let Entry::Submenu { items, .. } = &idle.entries[0] else {
            panic!("the session")
        };
        assert!(items
            .iter()
            .any(|e| matches!(e, Entry::Item { id, .. } if id == "serve:role-0005")));

        let mut gone = many(3);
        gone.sessions.clear();
        let model = build(&gone, &activity, &Shortcuts::default(), NOW, TEN_MIN, en());
        assert_eq!(
            labels(&model)[0],
            "role-0005 — stop serving to containers (127.0.0.1:4242)"
        );
        assert_eq!(Action::parse("stopserve:a:b"), Some(Action::StopServing("a:b".into())));
    }

    #[test]
    fn many_live_sessions_show_ten_and_the_rest_under_more_sessions() {
        for (sessions, at_top, more) in [(11, 11, 0), (12, 10, 2), (60, 10, 50)] {
            let mut snapshot = many(300);
            snapshot.sessions = (0..sessions)
                .map(|i| session(&format!("role-{i:04}"), Duration::minutes(30)))
                .collect();
            let model = build(
                &snapshot,
                &Activity::default(),
                &Shortcuts::default(),
                NOW,
                TEN_MIN,
                en(),
            );
            let l = labels(&model);
            let top = l.iter().filter(|x| x.contains(" — ")).count();
            assert_eq!(top, at_top, "{sessions}: {l:?}");
            assert!(model.entries.len() <= 40, "{sessions}: {} entries", model.entries.len());
            let found = model.entries.iter().find_map(|e| match e {
                Entry::Submenu { id, label, items } if id == "more-sessions" => Some((label, items)),
                _ => None,
            });
            match found {
                None => assert_eq!(more, 0, "{sessions}"),
                Some((label, items)) => {
                    assert_eq!(label, &format!("More sessions ({more})"));
                    fn session_ids(entries: &[Entry], out: &mut Vec<String>) {
                        for e in entries {
                            if let Entry::Submenu { id, items, .. } = e {
                                assert!(items.len() <= grouping::MAX_SUBMENU, "{id}");
                                if id.starts_with("session:") {
                                    out.push(id.clone());
                                } else {
                                    session_ids(items, out);
                                }
                            }
                        }
                    }
                    let mut ids = Vec::new();
                    session_ids(items, &mut ids);
                    assert_eq!(ids.len(), more, "{sessions}: every session reachable");
                }
            }
        }
    }

    #[test]
    fn the_menu_stays_short_at_any_profile_count() {
        let shortcuts = Shortcuts {
            recent: vec!["role-0003".into(), "gone".into(), "role-0001".into()],
            favourites: vec!["role-0002".into(), "role-0005".into()],
        };
        for count in [0, 5, 15, 16, 300, 2000] {
            let model = build(&many(count), &Activity::default(), &shortcuts, NOW, TEN_MIN, en());
            let l = labels(&model);
            assert!(model.entries.len() <= 40, "{count}: {} entries", model.entries.len());
            // With no profiles the line saying so comes first, then the session; with many,
            // "Find a profile…" and a separator.
            let first = if count > FLAT_UP_TO {
                assert_eq!(l[..2], ["Find a profile…", "---"], "{count}: the switcher on top");
                2
            } else {
                assert!(
                    !l.contains(&"Find a profile…".to_string()),
                    "{count}: flat, no switcher"
                );
                usize::from(count == 0)
            };
            assert_eq!(l[first], "role-0005 — 30 min", "{count}: sessions first");
            let all = model.entries.iter().find_map(|e| match e {
                Entry::Submenu { id, items, .. } if id == "all" => Some(items),
                _ => None,
            });
            let expected: Vec<String> = (0..count).map(|i| format!("assume:role-{i:04}")).collect();
            if count <= FLAT_UP_TO {
                assert!(all.is_none(), "{count}: flat");
                let mut ids = Vec::new();
                assume_ids(&model.entries, &mut ids);
                assert_eq!(ids, expected, "{count}: every profile at the top level, in order");
                continue;
            }
            let mut ids = Vec::new();
            assume_ids(all.expect("All profiles"), &mut ids);
            ids.sort();
            assert_eq!(ids, expected, "{count}: each profile once under All profiles");
            let at = |label: &str| {
                l.iter()
                    .position(|x| x == label)
                    .unwrap_or_else(|| panic!("{label}: {l:?}"))
            };
            let recent = at("[Recent]");
            assert_eq!(
                l[recent + 1..recent + 3],
                ["role-0003 (role)", "role-0001 (role)"],
                "newest first, unknown names left out"
            );
            let favourites = at("[Favourites]");
            assert_eq!(
                l[favourites + 1..favourites + 3],
                ["role-0002 (role)", "role-0005 (role)"]
            );
            assert!(recent < favourites && favourites < at("All profiles"));
        }
    }

    #[test]
    fn all_profiles_are_grouped_by_source_profile_and_cut_into_ranges() {
        let model = build(
            &many(300),
            &Activity::default(),
            &Shortcuts::default(),
            NOW,
            TEN_MIN,
            en(),
        );
        let Some(Entry::Submenu { items, .. }) = model
            .entries
            .iter()
            .find(|e| matches!(e, Entry::Submenu { id, .. } if id == "all"))
        else {
            panic!("All profiles")
        };
        let groups: Vec<&str> = items
            .iter()
            .map(|e| match e {
                Entry::Submenu { label, .. } => label.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(
            groups,
            [
                "src0 (43)",
                "src1 (43)",
                "src2 (43)",
                "src3 (43)",
                "src4 (43)",
                "src5 (43)",
                "src6 (42)"
            ]
        );
        let Entry::Submenu { items: src0, .. } = &items[0] else {
            panic!("a group")
        };
        let ranges: Vec<&str> = src0
            .iter()
            .map(|e| match e {
                Entry::Submenu { label, .. } => label.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(ranges, ["role-00 – role-01", "role-01 – role-02"]);
    }

    #[test]
    fn many_favourites_go_in_a_submenu_and_a_pinned_session_offers_unpin() {
        let shortcuts = Shortcuts {
            recent: vec![],
            favourites: (0..40).map(|i| format!("role-{i:04}")).collect(),
        };
        let model = build(&many(300), &Activity::default(), &shortcuts, NOW, TEN_MIN, en());
        let l = labels(&model);
        assert!(!l.contains(&"[Recent]".to_string()), "{l:?}");
        let Some(Entry::Submenu { items, .. }) = model
            .entries
            .iter()
            .find(|e| matches!(e, Entry::Submenu { id, .. } if id == "favourites"))
        else {
            panic!("{l:?}")
        };
        let mut ids = Vec::new();
        assume_ids(items, &mut ids);
        assert_eq!(ids.len(), 40);
        let Entry::Submenu { items, .. } = &model.entries[2] else {
            panic!("the session after Find a profile…")
        };
        assert_eq!(
            items.last(),
            Some(&Entry::Item {
                id: "unpin:role-0005".into(),
                label: "Unpin from favourites".into(),
                enabled: true,
            })
        );
        assert_eq!(Action::parse("unpin:a:b"), Some(Action::Unpin("a:b".into())));
        assert_eq!(Action::parse("pin:a"), Some(Action::Pin("a".into())));
    }

    #[test]
    fn a_profile_that_asks_first_is_marked_after_its_usual_label() {
        let mut snap = snapshot(vec![]);
        // oppara-dev: every-time; broken: its setting cannot be read (disabled anyway).
        snap.asks_first = ["oppara-dev", "broken"].map(String::from).into();
        let build_in = |words| build(&snap, &Activity::default(), &Shortcuts::default(), NOW, TEN_MIN, words);
        let l = labels(&build_in(en()));
        assert_eq!(
            l[..5],
            [
                "oppara (MFA)",
                "oppara-dev (role) · asks first",
                "plain",
                "[corp — not supported: SSO]",
                "[broken — config error: profile cycle]",
            ],
            "a never profile has no mark, an asking one keeps its label as the prefix"
        );
        assert!(
            l[1].starts_with("oppara-dev (role)"),
            "e2e finds the entry by this prefix"
        );
        let ja = Catalog::get(Language::Japanese);
        assert_eq!(labels(&build_in(ja))[1], "oppara-dev (ロール) · 使用前に確認");

        // Many profiles: the same mark under All profiles and in Recent.
        let mut many = many(300);
        many.asks_first = ["role-0003".to_string()].into();
        let shortcuts = Shortcuts {
            recent: vec!["role-0003".into(), "role-0004".into()],
            favourites: vec![],
        };
        let model = build(&many, &Activity::default(), &shortcuts, NOW, TEN_MIN, en());
        let marked: Vec<_> = model
            .labels()
            .into_iter()
            .filter(|(id, _)| matches!(*id, "assume:role-0003" | "assume:role-0004"))
            .collect();
        assert_eq!(
            marked,
            [
                ("assume:role-0003", "role-0003 (role) · asks first"),
                ("assume:role-0004", "role-0004 (role)"),
                ("assume:role-0003", "role-0003 (role) · asks first"),
                ("assume:role-0004", "role-0004 (role)"),
            ]
        );
    }

    #[test]
    fn ids_round_trip_with_colons_in_the_argument() {
        for action in [
            Action::Assume("oppara-dev".into()),
            Action::FindProfile,
            Action::Console("session:AssumeRole:a:b".into()),
            Action::CopyExports("session:GetSessionToken:oppara:arn:aws:iam::1:mfa/x".into()),
            Action::WriteTo("session:AssumeRole:a".into()),
            Action::LogOut("session:AssumeRole:a".into()),
            Action::OpenMain,
            Action::Quit,
        ] {
            assert_eq!(Action::parse(&action.id()), Some(action));
        }
        assert_eq!(Action::parse("busy:x"), None);
    }
}
