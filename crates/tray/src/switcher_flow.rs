//! The quick switcher's life: opened from the tray or the global key with the profiles as they
//! are now (`switcher::Switcher`), timed until its page is up, closed, and Enter on a match.

use crate::actions::{self, Origin};
use crate::notify;
use crate::shell::Shell;
use crate::switcher::SwitcherChoice;
use crate::windows_port::SWITCHER;
use std::time::Instant;

/// Opens the switcher (or raises the open one) with the profiles as they are now.
pub fn open(shell: &Shell) {
    let switcher = shell.switcher();
    switcher.asked();
    let started = Instant::now();
    if !shell.windows().is_open(SWITCHER) {
        let state = shell.state();
        switcher.load(&state.snapshot(), &state.shortcuts(), state.now());
    }
    let loaded = started.elapsed();
    if let Err(e) = shell.windows().open_switcher() {
        tracing::error!(error = %e, "cannot open the quick switcher");
        notify::failure("Rolebar", e.message);
    }
    tracing::debug!(
        load_ms = loaded.as_secs_f64() * 1000.0,
        window_ms = (started.elapsed() - loaded).as_secs_f64() * 1000.0,
        "quick switcher: profiles read, window made"
    );
}

/// The page is up and has the focus: logs how long that took from the click (the figure the
/// README quotes; the e2e suite prints it).
pub fn shown(shell: &Shell) {
    if let Some(asked) = shell.switcher().take_asked() {
        tracing::info!(
            elapsed_ms = asked.elapsed().as_secs_f64() * 1000.0,
            "quick switcher open and focused"
        );
    }
}

/// Closes the switcher (its profiles go when the window is destroyed: `Shell::window_destroyed`).
pub fn close(shell: &Shell) {
    shell.windows().close(SWITCHER);
}

/// Enter on `profile`: closes the switcher, then assumes (failures are told as the tray tells
/// them: a notification and a menu line), and with [`SwitcherChoice::CopyExports`] copies the
/// session's exports.
pub fn choose(shell: &Shell, profile: String, choice: SwitcherChoice) {
    close(shell);
    let task = shell.clone();
    shell.spawn(async move {
        let Ok(session) = actions::assume(&task, &profile, false, Origin::Tray).await else {
            return;
        };
        if choice == SwitcherChoice::CopyExports {
            actions::copy_exports_and_tell(task.state(), &session.id);
        }
    });
}
