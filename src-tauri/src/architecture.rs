//! The shell's logic does not name Tauri: only the modules that adapt it to Tauri (the app's
//! composition, the tray icon, the IPC wrappers and extractor, the windows, the global-key
//! plugin, the bindings and the tests on Tauri's mock runtime) may, so the rest can move into a
//! tray process without Tauri or WebKit. Sources are scanned as text, as `i18n/coverage.rs`
//! scans them for keys.

use std::path::{Path, PathBuf};

/// The files allowed to name Tauri, relative to `src-tauri/src`.
const TAURI_SIDE: &[&str] = &[
    "lib.rs",
    "main.rs",
    "tray.rs",
    "commands.rs",
    "windows.rs",
    "hotkey.rs",
    "ipc.rs",
    "bindings.rs",
    "ipc_tests.rs",
    "architecture.rs",
];

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
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src")
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
    // Every Tauri-side file but the tests names it: the scan finds them when nothing is allowed.
    let found = naming_tauri(&src(), &[]);
    for file in ["lib.rs", "commands.rs", "windows.rs", "tray.rs", "hotkey.rs", "ipc.rs"] {
        assert!(
            found.iter().any(|(f, _, _)| f == file),
            "{file} names Tauri, the scan must see it"
        );
    }
}
