//! The tray's recent.json as a path that is no regular file (issue 9's cases, moved from core's
//! `hostile_files.rs` with the module, issue 22): refused without blocking, the FIFO kept.

#![cfg(unix)]

use rolebar_tray::preferences::recent::RecentFile;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::sync::mpsc;

/// `f`'s answer, failing the test if it blocks (a FIFO opened for reading waits for a writer).
fn returns<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what}: did not return (hung)"))
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_as_the_recent_list_is_refused_without_blocking_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo.json");
    mkfifo(&fifo);
    let path = fifo.clone();
    let err = returns("recent profiles", move || {
        RecentFile::at(path)
            .record("oppara-dev")
            .expect_err("refused")
            .to_string()
    });
    assert!(
        err.contains("a FIFO") && err.contains(&fifo.display().to_string()),
        "names the path and its kind: {err}"
    );
    assert!(std::fs::symlink_metadata(&fifo).expect("kept").file_type().is_fifo());
}
