//! The MFA dialog: `DialogPrompt` implements rolebar-core's `MfaPrompt` by opening a small window
//! and waiting for the code it sends back through the `submit_mfa_code` / `cancel_mfa` commands.
//!
//! One dialog at a time: a prompt takes the dialog's turn (a tokio mutex) before its first
//! question and keeps it until it is dropped, i.e. for the whole request, re-asks after a
//! rejected code included. Two profiles needing MFA therefore queue, and a code can only ever
//! answer the request it was typed for (answers also carry the request's id).
//!
//! Closing the dialog is asynchronous (the window is destroyed on the event loop), so the next
//! request waits for the old window's `Destroyed` event (a `watch` channel fed by the window
//! hook, `Shell::window_destroyed`) before it opens its own: a question sent to a window on its way out would be
//! lost with it.

use crate::mfa_queue::{Answer, TEARDOWN_BOUND};
use crate::shell::Shell;
use crate::state::AppState;
use rolebar_core::mfa::{MfaCode, MfaPrompt, MfaRequest};
use rolebar_core::Error;
use rolebar_core::HasCode;
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;

/// A dialog left unanswered this long is cancelled, so a forgotten dialog does not hold the
/// vault (which serves one request at a time) forever.
pub const MFA_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// An `MfaPrompt` for one vault request: asks through the dialog window, which it closes when
/// dropped (after the request succeeded or failed).
pub struct DialogPrompt {
    shell: Shell,
    /// The profile the user asked for (the vault may ask for a code on behalf of its source).
    asked: String,
    /// The program that asked through the agent (shown, with Deny), if not the user in the app.
    requester: Option<String>,
    turn: tokio::sync::Mutex<Option<OwnedMutexGuard<()>>>,
}

impl std::fmt::Debug for DialogPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DialogPrompt").finish_non_exhaustive()
    }
}

impl DialogPrompt {
    pub fn new(shell: Shell, asked: &str) -> Self {
        DialogPrompt {
            shell,
            asked: asked.to_string(),
            requester: None,
            turn: tokio::sync::Mutex::new(None),
        }
    }

    /// The code is asked for another program (`aws sts … via rolebar credential-process …`):
    /// the dialog names it and offers Deny.
    pub fn asked_by(mut self, requester: &str) -> Self {
        self.requester = Some(requester.to_string());
        self
    }
}

#[async_trait::async_trait]
impl MfaPrompt for DialogPrompt {
    async fn code(&self, request: &MfaRequest) -> rolebar_core::Result<MfaCode> {
        let state = self.shell.state();
        {
            // Taken lazily: a request served from the cache never waits for another's dialog.
            let mut turn = self.turn.lock().await;
            if turn.is_none() {
                *turn = Some(state.mfa.turn.clone().lock_owned().await);
                // The previous request's dialog may still be on its way out: the question must
                // go to a new window, not to that one.
                if !state.mfa.previous_window_gone().await {
                    tracing::warn!(
                        "the previous MFA dialog was not destroyed within {} s; asking anyway",
                        TEARDOWN_BOUND.as_secs()
                    );
                }
            }
        }
        let (view, answer) = state.mfa.ask(&self.asked, self.requester.as_deref(), request);
        tracing::info!(profile = %view.profile, attempt = view.attempt, reason = ?view.reason, "asking for an MFA code");
        if let Err(e) = self.shell.windows().show_mfa(&view) {
            tracing::error!(error = %e, "cannot open the MFA dialog");
            state.mfa.cancel(Some(view.id));
            return Err(Error::MfaCancelled);
        }
        state.mfa.shown.send_replace(view.id);
        match tokio::time::timeout(MFA_TIMEOUT, answer).await {
            Ok(Ok(Answer::Code(code))) => Ok(code),
            Ok(Ok(Answer::Lost)) => {
                tracing::error!(profile = %view.profile, "the MFA dialog could not be shown");
                Err(Error::MfaDialogLost)
            }
            // An approval answer cannot reach a code's question (`MfaDialogs::approve` refuses).
            Ok(Ok(Answer::Cancel | Answer::Approve { .. })) | Ok(Err(_)) => {
                tracing::info!(profile = %view.profile, "MFA entry cancelled");
                Err(Error::MfaCancelled)
            }
            Err(_) => {
                tracing::warn!(profile = %view.profile, "MFA dialog unanswered for {} s; cancelled", MFA_TIMEOUT.as_secs());
                state.mfa.cancel(Some(view.id));
                Err(Error::MfaCancelled)
            }
        }
    }
}

impl Drop for DialogPrompt {
    fn drop(&mut self) {
        // Only the prompt that asked owns the dialog; its turn is released right after this.
        if self.turn.get_mut().is_some() {
            self.shell.state().mfa.cancel(None);
            self.shell.windows().close_mfa();
        }
    }
}

/// Codes that come without typing (`mfa_process`, a YubiKey through `ykman`; rolebar-core's
/// `mfa_source`) are tried before the dialog. While one waits for a touch, a standing
/// notification says which key, withdrawn when the code came (or did not).
#[derive(Debug)]
pub struct TrayTouch {
    words: &'static crate::i18n::Catalog,
}

impl TrayTouch {
    pub fn new(state: &AppState) -> Self {
        TrayTouch { words: state.catalog() }
    }
}

impl rolebar_core::mfa::source::TouchNotice for TrayTouch {
    fn show(&self, touch: &rolebar_core::mfa::source::Touch<'_>) -> rolebar_core::mfa::source::NoticeHandle {
        let shown = crate::notify::Standing::show(
            self.words.tr("note-touch-title"),
            self.words.tr_args(
                "note-touch-body",
                &[
                    ("profile", touch.profile.into()),
                    ("source", touch.source.label().into()),
                ],
            ),
        );
        rolebar_core::mfa::source::NoticeHandle::new(move || drop(shown))
    }

    fn waiting_for_next_code(&self, touch: &rolebar_core::mfa::source::Touch<'_>, wait: Duration) {
        crate::notify::info(
            self.words.tr("note-next-code-title"),
            self.words.tr_args(
                "note-next-code-body",
                &[
                    ("profile", touch.profile.into()),
                    ("source", touch.source.label().into()),
                    ("seconds", wait.as_secs().into()),
                ],
            ),
        );
    }

    fn source_failed(
        &self,
        touch: &rolebar_core::mfa::source::Touch<'_>,
        error: &rolebar_core::mfa::source::MfaSourceError,
    ) {
        crate::notify::failure(
            self.words.tr_args(
                "note-source-failed-title",
                &[
                    ("profile", touch.profile.into()),
                    ("source", touch.source.label().into()),
                ],
            ),
            error.to_string(),
        );
    }
}

/// Where codes come from for the app: `ROLEBAR_YKMAN`, and settings.json's `"mfa_ykman"`
/// (a broken value is logged and ignored: the dialog still asks).
pub fn source_options(state: &AppState) -> rolebar_core::mfa::source::SourceOptions {
    let mut options = rolebar_core::mfa::source::SourceOptions::from_env();
    let settings = state.settings();
    match settings.problem(rolebar_core::settings::Section::MfaYkman) {
        None => options.ykman_everywhere = settings.mfa_ykman,
        Some(e) => tracing::warn!(code = e.code(), "mfa_ykman not used: {e}"),
    }
    options
}
