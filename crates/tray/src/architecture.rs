//! The tray process does not name Tauri (nor WebKit, nor wry): its windows are another process's
//! (`rolebar-window`, src-tauri/), so the web engine is in memory only while a window is open.
//! Sources and the manifest are scanned as text, as `i18n/coverage.rs` scans them for keys;
//! `scripts/test.sh` also checks the built dependency tree (`cargo tree -i wry`).

use std::path::{Path, PathBuf};

/// The files allowed to name Tauri, relative to `crates/tray/src`: this one, which says what not
/// to name.
const TAURI_SIDE: &[&str] = &["architecture.rs"];

/// What naming Tauri looks like: a path into the crate, an import, one of its plugins. Built
/// at run time so this file does not hold them itself.
fn needles() -> [String; 3] {
    let name = "tauri";
    [format!("{name}::"), format!("use {name}"), format!("{name}_plugin")]
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(file, line number, line)` of every line naming Tauri outside `allowed`.
fn naming_tauri(root: &Path, allowed: &[&str]) -> Vec<(String, usize, String)> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    files.sort();
    let needles = needles();
    let mut found = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if allowed.contains(&relative.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (number, line) in text.lines().enumerate() {
            if needles.iter().any(|n| line.contains(n.as_str())) {
                found.push((relative.clone(), number + 1, line.trim().to_string()));
            }
        }
    }
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn only_the_tauri_side_names_tauri() {
    let found = naming_tauri(&src(), TAURI_SIDE);
    let listed: Vec<String> = found
        .iter()
        .map(|(file, number, line)| format!("  {file}:{number}: {line}"))
        .collect();
    assert!(
        found.is_empty(),
        "these lines name Tauri outside {TAURI_SIDE:?}; take the shell (`shell::Shell`) or a port \
         (`windows_port`, `desktop_port`) instead:\n{}",
        listed.join("\n")
    );
}

#[test]
fn the_scan_sees_tauri_where_it_is() {
    // The window process is the Tauri side: the scan finds it there.
    let window = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/src");
    let found = naming_tauri(&window, &[]);
    for file in ["main.rs", "windows.rs", "forward.rs"] {
        assert!(
            found.iter().any(|(f, _, _)| f == file),
            "{file} names Tauri, the scan must see it"
        );
    }
}

#[test]
fn the_tray_package_depends_on_no_web_engine() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("cannot read the tray's Cargo.toml: {e}"));
    for engine in ["tauri", "wry", "webkit", "webview"] {
        let named: Vec<&str> = manifest
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.to_lowercase().contains(engine))
            .collect();
        assert!(named.is_empty(), "the tray package names {engine}: {named:?}");
    }
}
