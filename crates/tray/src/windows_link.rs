//! The shell's windows (`windows_port::Windows`) in the window process: each call becomes a line
//! on its link (`window_process`), which starts the process when a window is wanted. What the
//! process reports keeps the MFA queue in step: a dialog created, destroyed (a cancel), or lost
//! with its process (a crash, a kill, a process that never came up) — then the question is shown
//! again once in a new process, and if that fails too the request fails with `mfa_dialog_lost`
//! within seconds, instead of its caller waiting minutes for an answer that cannot come.

use crate::error::{codes, CommandError};
use crate::i18n::{Catalog, LanguageChoice};
use crate::shell::Shell;
use crate::views::{Intent, MessagesView, MfaRequestView};
use crate::window_process::{Watcher, WindowProcess};
use crate::windows_port::Windows;
use rolebar_core::agent::window_link::{FromTray, WindowLabel};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// How long a dialog may take to appear (a cold window process: GTK, WebKit, the page) before
/// it counts as lost.
pub const MFA_SHOW_BOUND: Duration = Duration::from_secs(10);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the window process said about its windows, and the shell to tell.
#[derive(Default)]
pub struct Hooks {
    open: Mutex<BTreeSet<WindowLabel>>,
    shell: OnceLock<Shell>,
    /// The MFA request already shown again after a loss: a second loss fails it.
    reshown: Mutex<Option<u32>>,
    /// A dialog was asked for and has not been reported created (or lost) yet: closing it now
    /// still means its `destroyed` will be ours, not the user's cancel.
    mfa_on_its_way: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("open", &*lock(&self.open))
            .finish_non_exhaustive()
    }
}

impl Hooks {
    /// Connects the hooks to the shell (once, right after it is made: the shell holds the
    /// windows that hold these hooks).
    pub fn connect(&self, shell: &Shell) {
        if self.shell.set(shell.clone()).is_err() {
            tracing::warn!("the window hooks were connected twice");
        }
    }

    fn is_open(&self, window: WindowLabel) -> bool {
        lock(&self.open).contains(&window)
    }

    /// The MFA dialog for request `id` is gone without an answer: show it again once, else fail
    /// the request.
    fn mfa_lost(&self, id: Option<u32>) {
        let Some(shell) = self.shell.get() else { return };
        let dialogs = &shell.state().mfa;
        // Absent without a cancel: the question stays pending for the next window.
        dialogs.closing_window();
        dialogs.window_destroyed();
        let Some(view) = dialogs.current().filter(|v| id.is_none_or(|id| v.id == id)) else {
            return;
        };
        let again = {
            let mut reshown = lock(&self.reshown);
            let again = *reshown != Some(view.id);
            *reshown = Some(view.id);
            again
        };
        if again {
            tracing::warn!(
                id = view.id,
                "the MFA dialog was lost with its window process: showing it again"
            );
            if shell.windows().show_mfa(&view).is_ok() {
                return;
            }
        }
        tracing::error!(id = view.id, "the MFA dialog could not be shown: failing the request");
        dialogs.fail(view.id);
    }
}

impl Watcher for Hooks {
    fn created(&self, window: WindowLabel) {
        lock(&self.open).insert(window);
        if window == WindowLabel::Mfa {
            self.mfa_on_its_way.store(false, std::sync::atomic::Ordering::SeqCst);
            if let Some(shell) = self.shell.get() {
                shell.state().mfa.window_created();
            }
        }
    }

    fn destroyed(&self, window: WindowLabel) {
        lock(&self.open).remove(&window);
        if let Some(shell) = self.shell.get() {
            shell.window_destroyed(window.as_str());
        }
    }

    fn lost(&self, open: &BTreeSet<WindowLabel>, starting: bool) {
        {
            let mut known = lock(&self.open);
            for window in open {
                known.remove(window);
            }
        }
        if open.contains(&WindowLabel::Switcher) {
            if let Some(shell) = self.shell.get() {
                shell.switcher().forget();
            }
        }
        if open.contains(&WindowLabel::Mfa) || starting {
            self.mfa_on_its_way.store(false, std::sync::atomic::Ordering::SeqCst);
            self.mfa_lost(None);
        }
    }

    /// The tray served the windows' pages: what that touched is given back as after the start.
    fn gone(&self) {
        if let Some(shell) = self.shell.get() {
            shell.spawn_blocking(crate::lean::give_back_start_up_memory);
        }
    }
}

/// The windows, shown by the window process.
pub struct LinkedWindows {
    process: Arc<WindowProcess>,
    hooks: Arc<Hooks>,
    language: Arc<Mutex<LanguageChoice>>,
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for LinkedWindows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedWindows")
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

impl LinkedWindows {
    pub fn new(
        process: Arc<WindowProcess>,
        hooks: Arc<Hooks>,
        language: Arc<Mutex<LanguageChoice>>,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        LinkedWindows {
            process,
            hooks,
            language,
            runtime,
        }
    }

    fn words(&self) -> &'static Catalog {
        Catalog::get(lock(&self.language).language())
    }

    fn send(&self, line: FromTray) -> Result<(), CommandError> {
        self.process.send(line).map_err(|e| {
            CommandError::new(
                codes::WINDOW_FAILED,
                format!("cannot open the Rolebar window: the window program did not start ({e})"),
            )
        })
    }

    fn open(&self, window: WindowLabel, title: Option<String>) -> FromTray {
        FromTray::Open {
            window,
            title,
            intent: None,
            request: None,
        }
    }
}

impl Windows for LinkedWindows {
    fn open_main(&self, intent: Option<Intent>) -> Result<(), CommandError> {
        let intent = intent.and_then(|i| serde_json::to_value(i).ok());
        self.send(FromTray::Open {
            window: WindowLabel::Main,
            title: None,
            intent,
            request: None,
        })
    }

    fn show_mfa(&self, request: &MfaRequestView) -> Result<(), CommandError> {
        let was_open = self.hooks.is_open(WindowLabel::Mfa);
        if !was_open {
            self.hooks
                .mfa_on_its_way
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.send(FromTray::Open {
            window: WindowLabel::Mfa,
            title: Some(self.words().tr("mfa-window-title")),
            intent: None,
            request: serde_json::to_value(request).ok(),
        })?;
        if !was_open {
            // A dialog that never appears (the process crashed at start, or hangs) is a loss too.
            let hooks = self.hooks.clone();
            let id = request.id;
            self.runtime.spawn(async move {
                tokio::time::sleep(MFA_SHOW_BOUND).await;
                let still_asked = hooks
                    .shell
                    .get()
                    .and_then(|shell| shell.state().mfa.current())
                    .is_some_and(|view| view.id == id);
                if still_asked && !hooks.is_open(WindowLabel::Mfa) {
                    tracing::warn!(id, "the MFA dialog did not appear in {} s", MFA_SHOW_BOUND.as_secs());
                    hooks.mfa_lost(Some(id));
                }
            });
        }
        Ok(())
    }

    fn close_mfa(&self) {
        let on_its_way = self.hooks.mfa_on_its_way.load(std::sync::atomic::Ordering::SeqCst);
        if self.hooks.is_open(WindowLabel::Mfa) || on_its_way {
            if let Some(shell) = self.hooks.shell.get() {
                shell.state().mfa.closing_window();
            }
        }
        let _ = self.send(FromTray::Close {
            window: WindowLabel::Mfa,
        });
    }

    fn open_switcher(&self) -> Result<(), CommandError> {
        let title = self.words().tr("switcher-window-title");
        self.send(self.open(WindowLabel::Switcher, Some(title)))
    }

    fn close(&self, label: &str) {
        if let Some(window) = WindowLabel::from_label(label) {
            let _ = self.send(FromTray::Close { window });
        }
    }

    fn is_open(&self, label: &str) -> bool {
        WindowLabel::from_label(label).is_some_and(|w| self.hooks.is_open(w))
    }

    fn changed(&self) {
        let _ = self.send(FromTray::Changed);
    }

    fn language(&self, messages: &MessagesView) {
        let words = self.words();
        let titles = [
            (WindowLabel::Mfa, "mfa-window-title"),
            (WindowLabel::Switcher, "switcher-window-title"),
        ]
        .into_iter()
        .map(|(w, key)| (w.as_str().to_string(), words.tr(key)))
        .collect();
        match serde_json::to_value(messages) {
            Ok(messages) => {
                let _ = self.send(FromTray::Language { messages, titles });
            }
            Err(e) => tracing::warn!(error = %e, "cannot send the language to the windows"),
        }
    }
}
