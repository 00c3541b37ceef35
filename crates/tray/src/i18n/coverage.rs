//! Both catalogues hold the same keys, and exactly the keys the code uses. The code's keys are
//! found by the convention of `i18n/mod.rs`: string literals right after `tr(`, `tr_args(`
//! (Rust) or `t(` (TypeScript), and `data-i18n*` attribute values (HTML), so a key written any
//! other way (built at run time, passed in a variable) counts as unused and fails here.

use super::{Catalog, Language};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The repository (this crate is `crates/tray`).
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// What introduces a key, per kind of file. A call's key is its first argument (after any
/// whitespace: rustfmt and prettier break long calls), and the call's name must follow a
/// character that cannot be part of a name, so `split("` is not `t("`.
const RUST_CALLS: &[&str] = &["tr(", "tr_args("];
const TS_CALLS: &[&str] = &["t("];
const HTML_ATTRIBUTES: &[&str] = &[
    "data-i18n=\"",
    "data-i18n-title=\"",
    "data-i18n-placeholder=\"",
    "data-i18n-aria-label=\"",
];

fn catalogue_keys(language: Language) -> BTreeSet<String> {
    let resource = fluent_bundle::FluentResource::try_new(Catalog::source(language).to_string())
        .unwrap_or_else(|(_, errors)| panic!("{language}.ftl does not parse: {errors:?}"));
    super::message_ids(&resource).into_iter().collect()
}

/// The keys introduced by `openers` in `text`: a quoted `[a-z0-9-]+` (for calls, after the
/// opening parenthesis and any whitespace).
fn keys_in(text: &str, openers: &[&str], calls: bool) -> Vec<String> {
    let mut keys = Vec::new();
    for opener in openers {
        for (at, _) in text.match_indices(opener) {
            let before = text[..at].chars().next_back();
            if calls && before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut rest = &text[at + opener.len()..];
            if calls {
                let Some(quoted) = rest.trim_start().strip_prefix('"') else {
                    continue;
                };
                rest = quoted;
            }
            let Some(end) = rest.find('"') else { continue };
            let key = &rest[..end];
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                keys.push(key.to_string());
            }
        }
    }
    keys
}

fn files(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files(&path, extension, out);
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
}

/// Every key the sources use, with a file that uses it.
fn keys_in_code() -> BTreeMap<String, PathBuf> {
    let root = Path::new(ROOT);
    let mut sources: Vec<(PathBuf, &[&str], bool)> = Vec::new();
    let mut rust = Vec::new();
    files(&root.join("crates/tray/src"), "rs", &mut rust);
    files(&root.join("src-tauri/src"), "rs", &mut rust);
    sources.extend(rust.into_iter().map(|p| (p, RUST_CALLS, true)));
    let mut ts = Vec::new();
    files(&root.join("ui/src"), "ts", &mut ts);
    // Generated, and holds no messages.
    ts.retain(|p| !p.ends_with("bindings.ts"));
    // TypeScript also sets data-i18n attributes on the elements it builds.
    sources.extend(ts.iter().map(|p| (p.clone(), TS_CALLS, true)));
    sources.extend(ts.into_iter().map(|p| (p, HTML_ATTRIBUTES, false)));
    for page in ["index.html", "mfa.html", "switcher.html"] {
        sources.push((root.join("ui").join(page), HTML_ATTRIBUTES, false));
    }
    let mut used = BTreeMap::new();
    for (path, openers, calls) in sources {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for key in keys_in(&text, openers, calls) {
            used.entry(key).or_insert_with(|| path.clone());
        }
    }
    used
}

#[test]
fn both_languages_have_the_same_keys() {
    let en = catalogue_keys(Language::English);
    let ja = catalogue_keys(Language::Japanese);
    let only_en: Vec<_> = en.difference(&ja).collect();
    let only_ja: Vec<_> = ja.difference(&en).collect();
    assert!(
        only_en.is_empty() && only_ja.is_empty(),
        "missing from ja.ftl: {only_en:?}; missing from en.ftl: {only_ja:?}"
    );
}

#[test]
fn every_key_used_is_in_both_catalogues_and_every_key_is_used() {
    let used = keys_in_code();
    assert!(
        used.len() > 50,
        "the scan found only {} keys: is the convention still followed?",
        used.len()
    );
    for language in Language::ALL {
        let keys = catalogue_keys(language);
        let missing: Vec<String> = used
            .iter()
            .filter(|(key, _)| !keys.contains(*key))
            .map(|(key, path)| format!("{key} (used in {})", path.display()))
            .collect();
        assert!(
            missing.is_empty(),
            "{language}.ftl lacks keys the code uses: {missing:#?}"
        );
        let unused: Vec<&String> = keys.iter().filter(|key| !used.contains_key(*key)).collect();
        assert!(
            unused.is_empty(),
            "{language}.ftl has keys no code uses (or uses only through a variable, which the scan \
             cannot see; write the key as a literal): {unused:?}"
        );
    }
}

#[test]
fn the_scan_sees_calls_and_attributes_but_not_lookalikes() {
    let rust = r#"c.tr("menu-quit"); x.attr("menu-open"); tr(key); c.tr_args(
        "menu-busy", &[])"#;
    assert_eq!(keys_in(rust, RUST_CALLS, true), ["menu-quit", "menu-busy"]);
    let ts = r#"t("main-save"); s.split("main-x"); t("Not a key")"#;
    assert_eq!(keys_in(ts, TS_CALLS, true), ["main-save"]);
    let html = r#"<b data-i18n="main-refresh"></b><i data-i18n-title="main-dismiss"></i>"#;
    assert_eq!(keys_in(html, HTML_ATTRIBUTES, false), ["main-refresh", "main-dismiss"]);
}
