//! How hundreds of profiles fit in a tray menu: every profile under one group, and no submenu
//! longer than [`MAX_SUBMENU`] (longer lists are cut into alphabetical ranges, `dev-a – dev-k`,
//! nested again when the ranges are themselves too many). Pure, so tests can check the bounds and
//! that every profile is reachable exactly once.
//!
//! The group of a profile, first that applies:
//! 1. its `source_profile` (a role is grouped under the profile that signs for it: with MFA, the
//!    identity one types a code for — the way people think of a set of roles);
//! 2. the account id in its `role_arn` (roles with no source profile, e.g. `credential_source`);
//! 3. the prefix of its name before the first `-`, `_` or `/` (`oppara-dev` → `oppara`);
//! 4. its whole name (then it is listed alone).
//!
//! A group of one is listed as the profile itself, not a submenu of one item.

use crate::views::ProfileView;
use std::collections::BTreeMap;

/// Longest submenu: about what a screen shows without scrolling.
pub const MAX_SUBMENU: usize = 25;

/// What [`bound`] arranges: a leaf (a profile's entry) or a named group of nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node<T> {
    Leaf {
        key: String,
        value: T,
    },
    Group {
        key: String,
        label: String,
        children: Vec<Node<T>>,
    },
}

impl<T> Node<T> {
    fn key(&self) -> &str {
        match self {
            Node::Leaf { key, .. } | Node::Group { key, .. } => key,
        }
    }
}

/// The group a profile is listed under (see the module doc).
pub fn group_of(profile: &ProfileView) -> String {
    if let Some(source) = profile.source_profile.as_deref().filter(|s| !s.is_empty()) {
        return source.to_string();
    }
    if let Some(account) = profile.role_arn.as_deref().and_then(account_id) {
        return account.to_string();
    }
    match profile.name.find(['-', '_', '/']) {
        Some(at) if at > 0 => profile.name[..at].to_string(),
        _ => profile.name.clone(),
    }
}

/// `arn:aws:iam::123456789012:role/x` → `123456789012`.
fn account_id(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then_some(account)
}

/// `profiles` (name, value) grouped by `group` and bounded: at most [`MAX_SUBMENU`] nodes at
/// every level. Groups are sorted by name, profiles in a group too.
pub fn arrange<T>(profiles: Vec<(String, String, T)>) -> Vec<Node<T>> {
    let mut groups: BTreeMap<String, Vec<(String, T)>> = BTreeMap::new();
    for (name, group, value) in profiles {
        groups.entry(group).or_default().push((name, value));
    }
    let nodes = groups
        .into_iter()
        .map(|(group, mut members)| {
            members.sort_by(|a, b| a.0.cmp(&b.0));
            if members.len() == 1 {
                let (key, value) = members.remove(0);
                return Node::Leaf { key, value };
            }
            let count = members.len();
            let children = bound(
                members
                    .into_iter()
                    .map(|(key, value)| Node::Leaf { key, value })
                    .collect(),
            );
            Node::Group {
                label: format!("{group} ({count})"),
                key: group,
                children,
            }
        })
        .collect::<Vec<_>>();
    let mut nodes = nodes;
    nodes.sort_by(|a, b| a.key().cmp(b.key()));
    // One group holding everything (all roles from one source profile) is a level that says
    // nothing: list its contents instead.
    if let [Node::Group { .. }] = nodes.as_slice() {
        if let Some(Node::Group { children, .. }) = nodes.pop() {
            return children;
        }
    }
    bound(nodes)
}

/// `nodes` (sorted) as they are when few enough, else cut into even alphabetical ranges, each a
/// group labelled `first – last`, nested until the top level fits too.
pub fn bound<T>(nodes: Vec<Node<T>>) -> Vec<Node<T>> {
    if nodes.len() <= MAX_SUBMENU {
        return nodes;
    }
    let chunks = nodes.len().div_ceil(MAX_SUBMENU);
    let size = nodes.len().div_ceil(chunks);
    let mut ranges = Vec::with_capacity(chunks);
    let mut rest = nodes.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Node<T>> = rest.by_ref().take(size).collect();
        let (first, last) = (chunk[0].key().to_string(), chunk[chunk.len() - 1].key().to_string());
        let (a, b) = range_ends(&first, &last);
        ranges.push(Node::Group {
            key: first,
            label: format!("{a} – {b}"),
            children: chunk,
        });
    }
    bound(ranges)
}

/// The shortest prefixes that tell `first` from `last` (`dev-apple`, `dev-kiwi` → `dev-a`,
/// `dev-k`), so a range label stays short.
fn range_ends(first: &str, last: &str) -> (String, String) {
    let common = first.chars().zip(last.chars()).take_while(|(a, b)| a == b).count();
    let take = |s: &str| s.chars().take(common + 1).collect::<String>();
    (take(first), take(last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::ProfileKind;

    fn role(name: &str, source: Option<&str>, arn: Option<&str>) -> ProfileView {
        ProfileView {
            source_profile: source.map(str::to_string),
            role_arn: arn.map(str::to_string),
            ..ProfileView::bare(name, ProfileKind::Role)
        }
    }

    #[test]
    fn groups_by_source_then_account_then_prefix() {
        assert_eq!(
            group_of(&role("a-dev", Some("corp"), Some("arn:aws:iam::111:role/x"))),
            "corp"
        );
        assert_eq!(
            group_of(&role("a-dev", None, Some("arn:aws:iam::111122223333:role/x"))),
            "111122223333"
        );
        assert_eq!(group_of(&role("team_x", None, None)), "team");
        assert_eq!(group_of(&role("org/prod", None, None)), "org");
        assert_eq!(group_of(&role("plain", None, None)), "plain");
        assert_eq!(group_of(&role("-odd", None, Some("not an arn"))), "-odd");
    }

    fn leaves<T: Clone>(nodes: &[Node<T>], depth: usize, out: &mut Vec<(String, T)>, max_depth: &mut usize) {
        *max_depth = (*max_depth).max(depth);
        assert!(nodes.len() <= MAX_SUBMENU, "{} nodes at depth {depth}", nodes.len());
        for n in nodes {
            match n {
                Node::Leaf { key, value } => out.push((key.clone(), value.clone())),
                Node::Group { children, .. } => {
                    assert!(!children.is_empty());
                    leaves(children, depth + 1, out, max_depth)
                }
            }
        }
    }

    #[test]
    fn every_profile_once_and_no_level_too_long() {
        for (count, groups) in [(0, 1), (5, 1), (26, 1), (300, 1), (300, 7), (2000, 3), (2000, 2000)] {
            let profiles: Vec<_> = (0..count)
                .map(|i| (format!("p{i:05}"), format!("g{}", i % groups), i))
                .collect();
            let nodes = arrange(profiles);
            let (mut out, mut depth) = (Vec::new(), 0);
            leaves(&nodes, 0, &mut out, &mut depth);
            let mut seen: Vec<usize> = out.iter().map(|(_, v)| *v).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..count).collect::<Vec<_>>(), "{count}/{groups}");
            assert!(depth <= 3, "{count}/{groups}: depth {depth}");
        }
    }

    #[test]
    fn ranges_are_labelled_by_their_shortest_distinct_prefixes() {
        // dev-a00 … dev-z25, dev-a26 … dev-d29: 30 names, sorted (dev-a00, dev-a26, dev-b01, …), two
        // ranges of 15.
        let mut nodes: Vec<Node<()>> = (0..30u8)
            .map(|i| Node::Leaf {
                key: format!("dev-{}{i:02}", char::from(b'a' + i % 26)),
                value: (),
            })
            .collect();
        nodes.sort_by(|a, b| a.key().cmp(b.key()));
        let ranges = bound(nodes);
        let labels: Vec<_> = ranges
            .iter()
            .map(|n| match n {
                Node::Group { label, children, .. } => (label.as_str(), children.len()),
                Node::Leaf { .. } => ("", 0),
            })
            .collect();
        assert_eq!(labels, [("dev-a – dev-k", 15), ("dev-l – dev-z", 15)]);
        assert_eq!(range_ends("x", "x"), ("x".to_string(), "x".to_string()));
    }

    #[test]
    fn a_single_group_is_not_a_level_of_its_own() {
        let nodes = arrange((0..30).map(|i| (format!("r{i:02}"), "base".to_string(), i)).collect());
        assert_eq!(nodes.len(), 2, "two ranges straight away, not `base (30)` holding them");
        assert!(
            matches!(&nodes[0], Node::Group { label, .. } if label == "r0 – r1"),
            "{nodes:?}"
        );
    }

    #[test]
    fn a_group_of_one_is_the_profile_itself() {
        let nodes = arrange(vec![
            ("solo".to_string(), "solo".to_string(), 1),
            ("a-1".to_string(), "a".to_string(), 2),
            ("a-2".to_string(), "a".to_string(), 3),
        ]);
        assert!(matches!(&nodes[0], Node::Group { label, children, .. } if label == "a (2)" && children.len() == 2));
        assert_eq!(
            nodes[1],
            Node::Leaf {
                key: "solo".into(),
                value: 1
            }
        );
    }
}
