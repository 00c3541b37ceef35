//! Finding a profile from a few typed letters (the tray's quick switcher): fuzzy matching over
//! each profile's name, account id, role name and region, best matches first, with the profiles
//! one uses most (live sessions, recent, favourites) lifted a little.
//!
//! Matching is nucleo-matcher's (fzf's scoring, as Helix uses it): letters in order with gaps,
//! word starts and case changes scoring higher, and fzf's query syntax (`'exact`, `^prefix`,
//! `suffix$`, `!not`; words separated by spaces must all match, in any field).
//!
//! A [`Finder`] is built once from the profiles (when the switcher opens) and answers every
//! keystroke from memory: the searchable text is laid out once, and one matcher's buffers are
//! reused between searches.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};
use std::collections::HashMap;

/// What a profile can be found by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Candidate {
    pub name: String,
    /// The account id of the profile's role (from `role_arn`).
    pub account: Option<String>,
    /// The role's name (from `role_arn`, after `:role/`, with any path).
    pub role: Option<String>,
    pub region: Option<String>,
}

impl Candidate {
    /// A profile by its name, role ARN and region: the account id and role name are read from
    /// the ARN (`arn:aws:iam::111111111111:role/path/name`); a malformed ARN gives neither.
    pub fn new(name: &str, role_arn: Option<&str>, region: Option<&str>) -> Candidate {
        let (account, role) = role_arn.map(split_role_arn).unwrap_or_default();
        Candidate {
            name: name.to_string(),
            account,
            role,
            region: region.filter(|r| !r.is_empty()).map(str::to_string),
        }
    }
}

fn split_role_arn(arn: &str) -> (Option<String>, Option<String>) {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("iam"), Some(_region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return (None, None);
    };
    let account = (!account.is_empty()).then(|| account.to_string());
    let role = resource
        .strip_prefix("role/")
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    (account, role)
}

/// Where a profile stands with the user: the order when nothing is typed, and a lift in the
/// scores when something is (a recent profile wins a tie, and a near tie).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    /// Profiles with a live session.
    pub live: Vec<String>,
    /// The last assumed, newest first.
    pub recent: Vec<String>,
    pub favourites: Vec<String>,
}

/// The lifts, in nucleo score points (a matched letter scores 16, a word start adds 8).
const LIVE_LIFT: u32 = 16;
const RECENT_LIFT: u32 = 24;
const RECENT_LIFT_STEP: u32 = 4;
const FAVOURITE_LIFT: u32 = 12;
/// A match inside the name alone beats the same letters spread over the other fields: the name
/// is what people type.
const NAME_LIFT: u32 = 16;

/// One profile found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The candidate's position in the list the finder was built from.
    pub index: usize,
    pub score: u32,
    /// Which characters of the name matched (char positions, ascending), for highlighting.
    pub name_matches: Vec<u32>,
}

struct Entry {
    /// The name alone.
    name: Utf32String,
    /// Name, account id, role name and region, separated by spaces.
    all: Utf32String,
    /// Position when nothing is typed (live, recent, favourites, the rest in file order).
    rank: (u8, usize),
    lift: u32,
}

/// The profiles to search, laid out for matching (see the module doc).
pub struct Finder {
    candidates: Vec<Candidate>,
    entries: Vec<Entry>,
    matcher: Matcher,
    indices: Vec<u32>,
}

impl std::fmt::Debug for Finder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finder")
            .field("candidates", &self.candidates.len())
            .finish_non_exhaustive()
    }
}

impl Finder {
    pub fn new(candidates: Vec<Candidate>, standing: &Standing) -> Finder {
        let position = |names: &[String]| -> HashMap<String, usize> {
            let mut at = HashMap::new();
            for (i, name) in names.iter().enumerate() {
                at.entry(name.clone()).or_insert(i);
            }
            at
        };
        let (live, recent, favourites) = (
            position(&standing.live),
            position(&standing.recent),
            position(&standing.favourites),
        );
        let entries = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = c.name.as_str();
                let rank = if let Some(&at) = live.get(name) {
                    (0, at)
                } else if let Some(&at) = recent.get(name) {
                    (1, at)
                } else if let Some(&at) = favourites.get(name) {
                    (2, at)
                } else {
                    (3, i)
                };
                let mut lift = 0;
                if live.contains_key(name) {
                    lift += LIVE_LIFT;
                }
                if let Some(&at) = recent.get(name) {
                    lift += RECENT_LIFT.saturating_sub(RECENT_LIFT_STEP * at as u32);
                }
                if favourites.contains_key(name) {
                    lift += FAVOURITE_LIFT;
                }
                let fields = [Some(&c.name), c.account.as_ref(), c.role.as_ref(), c.region.as_ref()];
                let all: Vec<&str> = fields.into_iter().flatten().map(String::as_str).collect();
                Entry {
                    name: Utf32String::from(name),
                    all: Utf32String::from(all.join(" ")),
                    rank,
                    lift,
                }
            })
            .collect();
        Finder {
            candidates,
            entries,
            matcher: Matcher::new(Config::DEFAULT),
            indices: Vec::new(),
        }
    }

    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The best `limit` profiles for `query`: with nothing typed, in standing order (live,
    /// recent, favourites, the rest in file order); else every profile matching all of the
    /// query's words, best score first, standing order between equals.
    pub fn search(&mut self, query: &str, limit: usize) -> Vec<Hit> {
        let pattern = Pattern::parse(query.trim(), CaseMatching::Smart, Normalization::Smart);
        if pattern.atoms.is_empty() {
            let mut order: Vec<usize> = (0..self.entries.len()).collect();
            order.sort_by_key(|&i| self.entries[i].rank);
            return order
                .into_iter()
                .take(limit)
                .map(|index| Hit {
                    index,
                    score: 0,
                    name_matches: Vec::new(),
                })
                .collect();
        }
        let mut scored: Vec<(u32, usize)> = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            let in_name = pattern.score(entry.name.slice(..), &mut self.matcher);
            let in_all = pattern.score(entry.all.slice(..), &mut self.matcher);
            let best = match (in_name, in_all) {
                (Some(name), all) => (name + NAME_LIFT).max(all.unwrap_or(0)),
                (None, Some(all)) => all,
                (None, None) => continue,
            };
            scored.push((best + entry.lift, i));
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(self.entries[a.1].rank.cmp(&self.entries[b.1].rank)));
        scored.truncate(limit);
        scored
            .into_iter()
            .map(|(score, index)| Hit {
                index,
                score,
                name_matches: self.name_matches(&pattern, index),
            })
            .collect()
    }

    /// The name's matched characters: those of a match in the name alone, else those of the
    /// whole text's match that fall in the name (it comes first).
    fn name_matches(&mut self, pattern: &Pattern, index: usize) -> Vec<u32> {
        let entry = &self.entries[index];
        self.indices.clear();
        if pattern
            .indices(entry.name.slice(..), &mut self.matcher, &mut self.indices)
            .is_none()
        {
            self.indices.clear();
            let _ = pattern.indices(entry.all.slice(..), &mut self.matcher, &mut self.indices);
            let name_len = entry.name.len() as u32;
            self.indices.retain(|&i| i < name_len);
        }
        self.indices.sort_unstable();
        self.indices.dedup();
        self.indices.clone()
    }
}

/// Splits `text` at the matched char positions into runs, `(run, matched)`, for highlighting.
pub fn highlight_runs(text: &str, matches: &[u32]) -> Vec<(String, bool)> {
    let mut runs: Vec<(String, bool)> = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let matched = u32::try_from(i).is_ok_and(|i| matches.binary_search(&i).is_ok());
        match runs.last_mut() {
            Some((run, m)) if *m == matched => run.push(c),
            _ => runs.push((c.to_string(), matched)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, account: &str, role: &str, region: &str) -> Candidate {
        Candidate::new(name, Some(&format!("arn:aws:iam::{account}:role/{role}")), Some(region))
    }

    fn names(finder: &Finder, hits: &[Hit]) -> Vec<String> {
        hits.iter().map(|h| finder.candidates()[h.index].name.clone()).collect()
    }

    fn find(finder: &mut Finder, query: &str) -> Vec<String> {
        let hits = finder.search(query, 10);
        names(finder, &hits)
    }

    fn sample() -> Vec<Candidate> {
        vec![
            Candidate::new("default", None, Some("ap-northeast-1")),
            role("oppara-dev", "222222222222", "developer", "ap-northeast-1"),
            role("oppara-prod", "333333333333", "admin", "us-east-1"),
            role("billing-readonly", "444444444444", "path/ReadOnly", "eu-west-1"),
            role("sandbox", "555555555555", "developer", "us-west-2"),
        ]
    }

    #[test]
    fn account_and_role_come_from_the_arn() {
        let c = role("x", "123456789012", "team/dev", "eu-west-1");
        assert_eq!(c.account.as_deref(), Some("123456789012"));
        assert_eq!(c.role.as_deref(), Some("team/dev"));
        let bad = Candidate::new("x", Some("not-an-arn"), Some(""));
        assert_eq!((bad.account, bad.role, bad.region), (None, None, None));
        let user = Candidate::new("x", Some("arn:aws:iam::123456789012:user/me"), None);
        assert_eq!((user.account.as_deref(), user.role), (Some("123456789012"), None));
    }

    #[test]
    fn letters_in_order_find_the_name_best_first() {
        let mut finder = Finder::new(sample(), &Standing::default());
        let hits = finder.search("opd", 10);
        assert_eq!(names(&finder, &hits)[0], "oppara-dev", "{hits:?}");
        assert!(names(&finder, &hits).contains(&"oppara-prod".to_string()));
        assert!(!names(&finder, &hits).contains(&"sandbox".to_string()));
        // o, p of "oppara" and the d of "dev".
        assert_eq!(hits[0].name_matches.len(), 3, "{hits:?}");
    }

    #[test]
    fn account_id_role_and_region_find_profiles_too() {
        let mut finder = Finder::new(sample(), &Standing::default());
        assert_eq!(find(&mut finder, "3333"), ["oppara-prod"]);
        assert_eq!(find(&mut finder, "readonly"), ["billing-readonly"]);
        let west = find(&mut finder, "us-west-2");
        assert_eq!(west[0], "sandbox");
        // Words must all match, each in any field.
        assert_eq!(find(&mut finder, "developer sandbox"), ["sandbox"]);
        // A match in the account id highlights nothing in the name.
        let hits = finder.search("333333333333", 10);
        assert_eq!(hits[0].name_matches, Vec::<u32>::new());
    }

    #[test]
    fn nothing_typed_lists_live_recent_favourites_then_the_file_order() {
        let standing = Standing {
            live: vec!["sandbox".into()],
            recent: vec!["oppara-prod".into(), "sandbox".into()],
            favourites: vec!["billing-readonly".into()],
        };
        let mut finder = Finder::new(sample(), &standing);
        assert_eq!(
            find(&mut finder, "  "),
            ["sandbox", "oppara-prod", "billing-readonly", "default", "oppara-dev"]
        );
        assert_eq!(finder.search("", 2).len(), 2);
    }

    #[test]
    fn a_recent_profile_wins_over_an_equal_match() {
        let mut finder = Finder::new(sample(), &Standing::default());
        assert_eq!(find(&mut finder, "oppara")[0], "oppara-dev");
        let standing = Standing {
            recent: vec!["oppara-prod".into()],
            ..Standing::default()
        };
        let mut finder = Finder::new(sample(), &standing);
        assert_eq!(find(&mut finder, "oppara")[0], "oppara-prod");
    }

    #[test]
    fn fzf_syntax_and_no_match() {
        let mut finder = Finder::new(sample(), &Standing::default());
        assert_eq!(find(&mut finder, "^sand"), ["sandbox"]);
        assert!(finder.search("zzzz", 10).is_empty());
        let not_oppara = find(&mut finder, "!oppara");
        assert!(!not_oppara.iter().any(|n| n.starts_with("oppara")), "{not_oppara:?}");
    }

    #[test]
    fn names_in_any_script_match_and_highlight_by_character() {
        let mut finder = Finder::new(vec![Candidate::new("開発-dev", None, None)], &Standing::default());
        let hits = finder.search("開発", 10);
        assert_eq!(hits[0].name_matches, vec![0, 1]);
        assert_eq!(
            highlight_runs("開発-dev", &hits[0].name_matches),
            vec![("開発".to_string(), true), ("-dev".to_string(), false)]
        );
    }

    #[test]
    fn limit_and_thousands_of_profiles() {
        let many: Vec<Candidate> = (0..2000)
            .map(|i| {
                role(
                    &format!("team{}-acct{i}", i % 40),
                    &format!("{:012}", i),
                    "developer",
                    "us-east-1",
                )
            })
            .collect();
        let mut finder = Finder::new(many, &Standing::default());
        let hits = finder.search("acct1999", 20);
        assert_eq!(finder.candidates()[hits[0].index].name, "team39-acct1999");
        assert!(hits.len() <= 20);
    }
}
