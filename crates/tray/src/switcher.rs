//! The quick switcher: a small centred window with a search field over the profiles Rolebar can
//! assume (rolebar-core's `finder`), opened from the tray's "Find a profile…" or a global
//! shortcut. Enter assumes the chosen profile (the MFA dialog when needed), Shift+Enter also
//! copies its env exports, Esc closes.
//!
//! The profiles are read once when the switcher opens; each keystroke is then answered from
//! memory. The window is created on demand and destroyed when it closes, as the others are.
//! This module holds the profiles and the search; `switcher_flow` opens, chooses and closes.

use crate::finder::{self, Candidate, Finder, Standing};
use crate::views::{ProfileKind, ProfileView, Snapshot};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Instant;
use ts_rs::TS;

/// At most this many matches are sent to the window (it shows about ten at a time).
pub const HITS_SHOWN: usize = 50;

/// One profile found, as the switcher lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SwitcherHit {
    pub name: String,
    pub kind: ProfileKind,
    pub account: Option<String>,
    pub role: Option<String>,
    pub region: Option<String>,
    /// The name cut into runs, matched or not, for highlighting.
    pub name_runs: Vec<TextRun>,
    /// It has a live session (Enter uses it without a code).
    pub live: bool,
    pub recent: bool,
    pub favourite: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TextRun {
    pub text: String,
    pub matched: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SwitcherResults {
    pub hits: Vec<SwitcherHit>,
    /// How many profiles were searched.
    pub searched: u32,
}

/// What Enter does with the chosen profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SwitcherChoice {
    /// Assume it (Enter).
    Assume,
    /// Assume it, then put its env exports on the clipboard (Shift+Enter).
    CopyExports,
}

/// The profiles of the open switcher, and when it was asked for.
#[derive(Default)]
pub struct Switcher {
    loaded: Mutex<Option<Loaded>>,
    asked_at: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Switcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Switcher").finish_non_exhaustive()
    }
}

struct Loaded {
    finder: Finder,
    /// Beside the finder's candidates, index for index.
    profiles: Vec<ProfileView>,
    standing: Standing,
}

impl Switcher {
    /// Reads the profiles for a new search (when the switcher opens).
    pub fn load(&self, snapshot: &Snapshot, shortcuts: &crate::activity::Shortcuts, now: time::OffsetDateTime) {
        let profiles: Vec<ProfileView> = snapshot
            .profiles
            .iter()
            .filter(|p| {
                matches!(
                    p.kind,
                    ProfileKind::Keys | ProfileKind::SessionToken | ProfileKind::Role
                )
            })
            .cloned()
            .collect();
        let standing = Standing {
            live: snapshot
                .sessions
                .iter()
                .filter(|s| s.expires_at > now)
                .map(|s| s.profile.clone())
                .collect(),
            recent: shortcuts.recent.clone(),
            favourites: shortcuts.favourites.clone(),
        };
        let candidates = profiles
            .iter()
            .map(|p| Candidate::new(&p.name, p.role_arn.as_deref(), p.region.as_deref()))
            .collect();
        let finder = Finder::new(candidates, &standing);
        *lock(&self.loaded) = Some(Loaded {
            finder,
            profiles,
            standing,
        });
    }

    /// The best matches for `query` among the loaded profiles (none loaded: none found).
    pub fn search(&self, query: &str, limit: usize) -> SwitcherResults {
        let mut loaded = lock(&self.loaded);
        let Some(loaded) = loaded.as_mut() else {
            return SwitcherResults {
                hits: Vec::new(),
                searched: 0,
            };
        };
        let hits = loaded.finder.search(query, limit.min(HITS_SHOWN));
        let has = |names: &[String], name: &str| names.iter().any(|n| n == name);
        let hits = hits
            .into_iter()
            .map(|hit| {
                let candidate = &loaded.finder.candidates()[hit.index];
                let profile = &loaded.profiles[hit.index];
                SwitcherHit {
                    name: candidate.name.clone(),
                    kind: profile.kind,
                    account: candidate.account.clone(),
                    role: candidate.role.clone(),
                    region: candidate.region.clone(),
                    name_runs: finder::highlight_runs(&candidate.name, &hit.name_matches)
                        .into_iter()
                        .map(|(text, matched)| TextRun { text, matched })
                        .collect(),
                    live: has(&loaded.standing.live, &candidate.name),
                    recent: has(&loaded.standing.recent, &candidate.name),
                    favourite: has(&loaded.standing.favourites, &candidate.name),
                }
            })
            .collect();
        SwitcherResults {
            hits,
            searched: u32::try_from(loaded.finder.len()).unwrap_or(u32::MAX),
        }
    }

    /// Whether `profile` was offered by the open switcher (a choice must be one of them).
    pub fn offers(&self, profile: &str) -> bool {
        lock(&self.loaded)
            .as_ref()
            .is_some_and(|l| l.finder.candidates().iter().any(|c| c.name == profile))
    }

    /// The switcher closed: its profiles go.
    pub fn forget(&self) {
        *lock(&self.loaded) = None;
    }

    /// The switcher was asked for now (a click, the key): `shown` measures from here.
    pub fn asked(&self) {
        *lock(&self.asked_at) = Some(Instant::now());
    }

    /// When the switcher was last asked for, once.
    pub fn take_asked(&self) -> Option<Instant> {
        lock(&self.asked_at).take()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::Shortcuts;
    use crate::views::SessionView;

    fn profile(name: &str, kind: ProfileKind, arn: Option<&str>) -> ProfileView {
        let mut view = ProfileView::bare(name, kind);
        view.role_arn = arn.map(str::to_string);
        view
    }

    fn snapshot(profiles: Vec<ProfileView>, sessions: Vec<SessionView>) -> Snapshot {
        Snapshot {
            sign_ins: Vec::new(),
            profiles,
            load_error: None,
            sessions,
            keys: Vec::new(),
            credentials_file: "~/.aws/credentials".into(),
            asks_first: Default::default(),
        }
    }

    #[test]
    fn only_profiles_rolebar_can_assume_are_offered_with_their_standing() {
        let switcher = Switcher::default();
        let profiles = vec![
            profile("default", ProfileKind::Keys, None),
            profile(
                "oppara-dev",
                ProfileKind::Role,
                Some("arn:aws:iam::222222222222:role/developer"),
            ),
            profile("sso-dev", ProfileKind::Unsupported, None),
            profile("x1", ProfileKind::Written, None),
            profile("broken", ProfileKind::Invalid, None),
        ];
        let shortcuts = Shortcuts {
            recent: vec!["oppara-dev".into()],
            favourites: vec!["default".into()],
        };
        let now = time::OffsetDateTime::now_utc();
        switcher.load(&snapshot(profiles, Vec::new()), &shortcuts, now);
        let all = switcher.search("", 50);
        assert_eq!(all.searched, 2);
        let names: Vec<&str> = all.hits.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["oppara-dev", "default"]);
        assert!(all.hits[0].recent && !all.hits[0].favourite && all.hits[1].favourite);
        assert!(switcher.offers("oppara-dev") && !switcher.offers("sso-dev") && !switcher.offers("x1"));

        let found = switcher.search("2222", 50);
        assert_eq!(found.hits.len(), 1);
        assert_eq!(found.hits[0].account.as_deref(), Some("222222222222"));
        assert_eq!(found.hits[0].role.as_deref(), Some("developer"));
        let runs = &switcher.search("dev", 50).hits[0].name_runs;
        assert_eq!(
            runs.iter().map(|r| (r.text.as_str(), r.matched)).collect::<Vec<_>>(),
            [("oppara-", false), ("dev", true)]
        );
    }

    #[test]
    fn nothing_loaded_finds_nothing() {
        let switcher = Switcher::default();
        assert_eq!(switcher.search("a", 10).hits, Vec::new());
        assert!(!switcher.offers("a"));
    }
}
