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
//! hook in lib.rs) before it opens its own: a question sent to a window on its way out would be
//! lost with it.

use crate::error::{codes, CommandError};
use crate::state::AppState;
use crate::views::MfaRequestView;
use crate::windows;
use rolebar_core::mfa::{MfaCode, MfaPrompt, MfaRequest};
use rolebar_core::Error;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::{oneshot, watch, OwnedMutexGuard};

/// A dialog left unanswered this long is cancelled, so a forgotten dialog does not hold the
/// vault (which serves one request at a time) forever.
pub const MFA_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How long a new request waits for the previous dialog's `Destroyed` event at most. It comes
/// within milliseconds; the bound only keeps a lost event from holding the vault.
const TEARDOWN_BOUND: Duration = Duration::from_secs(2);

/// The dialog window as the app last saw it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum DialogWindow {
    #[default]
    Absent,
    Open,
    /// The app asked for it to be destroyed; its `Destroyed` event has not come yet.
    Closing,
}

#[derive(Debug)]
enum Answer {
    Code(MfaCode),
    Cancel,
}

#[derive(Debug)]
struct Pending {
    view: MfaRequestView,
    answer: oneshot::Sender<Answer>,
}

/// The question on screen, if any, and the queue for the dialog.
#[derive(Debug, Default)]
pub struct MfaDialogs {
    turn: Arc<tokio::sync::Mutex<()>>,
    pending: Mutex<Option<Pending>>,
    next_id: AtomicU32,
    /// While `Closing`, the app is destroying the dialog: its `Destroyed` event is not a user's
    /// cancel (and must not cancel the next request, which may already be waiting), and no new
    /// question may go to it.
    window: watch::Sender<DialogWindow>,
    /// The id of the question last put on screen (0: none yet), for whoever waits for one.
    shown: watch::Sender<u32>,
}

impl MfaDialogs {
    /// The request the dialog should show (the dialog asks on load, so none is missed).
    pub fn current(&self) -> Option<MfaRequestView> {
        self.lock().as_ref().map(|p| p.view.clone())
    }

    /// Puts `request` on screen; the receiver gets the answer.
    fn ask(
        &self,
        asked: &str,
        requester: Option<&str>,
        request: &MfaRequest,
    ) -> (MfaRequestView, oneshot::Receiver<Answer>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let mut view = MfaRequestView::new(id, asked, request);
        view.requester = requester.map(str::to_string);
        let (answer, receiver) = oneshot::channel();
        // Replacing a pending request drops its sender: its asker sees a cancel.
        *self.lock() = Some(Pending {
            view: view.clone(),
            answer,
        });
        (view, receiver)
    }

    /// Answers request `id` with `input`. A malformed code is refused and the question stays,
    /// so the user can correct it; an answer to an older request is refused.
    pub fn submit(&self, id: u32, input: &str) -> Result<(), CommandError> {
        let mut pending = self.lock();
        if pending.as_ref().map(|p| p.view.id) != Some(id) {
            return Err(stale(id));
        }
        let code = MfaCode::parse(input)?;
        if let Some(p) = pending.take() {
            // The asker may have gone (timed out) in between; then there is nobody to tell.
            let _ = p.answer.send(Answer::Code(code));
        }
        Ok(())
    }

    /// Cancels request `id` (any request when `None`, e.g. the dialog was closed).
    pub fn cancel(&self, id: Option<u32>) -> bool {
        let mut pending = self.lock();
        if id.is_some() && pending.as_ref().map(|p| p.view.id) != id {
            return false;
        }
        match pending.take() {
            Some(p) => {
                let _ = p.answer.send(Answer::Cancel);
                true
            }
            None => false,
        }
    }

    /// The dialog window was created (or is still there after a failed destroy): a later
    /// `Destroyed` is the user's doing unless we close it.
    pub fn window_created(&self) {
        self.window.send_replace(DialogWindow::Open);
    }

    /// The app is about to destroy the dialog window.
    pub fn closing_window(&self) {
        self.window.send_replace(DialogWindow::Closing);
    }

    /// The dialog window is gone (its `Destroyed` event): a cancel, unless the app closed it.
    /// Wakes a request waiting to open the next dialog.
    pub fn window_destroyed(&self) {
        if self.window.send_replace(DialogWindow::Absent) != DialogWindow::Closing {
            self.cancel(None);
        }
    }

    /// Resolves once no dialog is on its way out (at once when none is); `false` when the old
    /// one's `Destroyed` event did not come within `TEARDOWN_BOUND`.
    async fn previous_window_gone(&self) -> bool {
        let mut window = self.window.subscribe();
        let gone = async {
            // The sender lives in `self`, so `wait_for` cannot fail for a closed channel.
            window.wait_for(|w| *w != DialogWindow::Closing).await.is_ok()
        };
        tokio::time::timeout(TEARDOWN_BOUND, gone).await.unwrap_or(false)
    }

    /// Follows the id of the question last put on screen (0 before the first).
    pub fn shown(&self) -> watch::Receiver<u32> {
        self.shown.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn stale(id: u32) -> CommandError {
    CommandError::new(
        codes::STALE_MFA_REQUEST,
        format!("MFA request {id} is no longer waiting for a code; close this dialog"),
    )
}

/// An `MfaPrompt` for one vault request: asks through the dialog window, which it closes when
/// dropped (after the request succeeded or failed).
pub struct DialogPrompt<R: Runtime> {
    app: AppHandle<R>,
    /// The profile the user asked for (the vault may ask for a code on behalf of its source).
    asked: String,
    /// The program that asked through the agent (shown, with Deny), if not the user in the app.
    requester: Option<String>,
    turn: tokio::sync::Mutex<Option<OwnedMutexGuard<()>>>,
}

impl<R: Runtime> std::fmt::Debug for DialogPrompt<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DialogPrompt").finish_non_exhaustive()
    }
}

impl<R: Runtime> DialogPrompt<R> {
    pub fn new(app: AppHandle<R>, asked: &str) -> Self {
        DialogPrompt {
            app,
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
impl<R: Runtime> MfaPrompt for DialogPrompt<R> {
    async fn code(&self, request: &MfaRequest) -> rolebar_core::Result<MfaCode> {
        let state = self.app.state::<AppState>();
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
        if let Err(e) = windows::show_mfa(&self.app, &view) {
            tracing::error!(error = %e, "cannot open the MFA dialog");
            state.mfa.cancel(Some(view.id));
            return Err(Error::MfaCancelled);
        }
        state.mfa.shown.send_replace(view.id);
        match tokio::time::timeout(MFA_TIMEOUT, answer).await {
            Ok(Ok(Answer::Code(code))) => Ok(code),
            Ok(Ok(Answer::Cancel)) | Ok(Err(_)) => {
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

impl<R: Runtime> Drop for DialogPrompt<R> {
    fn drop(&mut self) {
        // Only the prompt that asked owns the dialog; its turn is released right after this.
        if self.turn.get_mut().is_some() {
            self.app.state::<AppState>().mfa.cancel(None);
            windows::close_mfa(&self.app);
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

impl rolebar_core::mfa_source::TouchNotice for TrayTouch {
    fn show(&self, touch: &rolebar_core::mfa_source::Touch<'_>) -> rolebar_core::mfa_source::NoticeHandle {
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
        rolebar_core::mfa_source::NoticeHandle::new(move || drop(shown))
    }

    fn waiting_for_next_code(&self, touch: &rolebar_core::mfa_source::Touch<'_>, wait: Duration) {
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
        touch: &rolebar_core::mfa_source::Touch<'_>,
        error: &rolebar_core::mfa_source::MfaSourceError,
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
pub fn source_options(state: &AppState) -> rolebar_core::mfa_source::SourceOptions {
    let mut options = rolebar_core::mfa_source::SourceOptions::from_env();
    let settings = state.settings();
    match settings.problem(rolebar_core::settings::Section::MfaYkman) {
        None => options.ykman_everywhere = settings.mfa_ykman,
        Some(e) => tracing::warn!(code = e.code(), "mfa_ykman not used: {e}"),
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolebar_core::mfa::MfaReason;

    fn request(attempt: u32) -> MfaRequest {
        MfaRequest {
            profile: "oppara-dev".into(),
            mfa_serial: "arn:aws:iam::111111111111:mfa/oppara".into(),
            reason: if attempt == 1 {
                MfaReason::NoSession
            } else {
                MfaReason::Rejected
            },
            attempt,
        }
    }

    #[tokio::test]
    async fn a_code_answers_its_own_request_only() {
        let dialogs = MfaDialogs::default();
        let (first, rx1) = dialogs.ask("oppara-dev", None, &request(1));
        assert_eq!(dialogs.current().map(|v| v.id), Some(first.id));
        let (second, rx2) = dialogs.ask("oppara-dev", None, &request(2));
        assert!(rx1.await.is_err(), "a replaced request is cancelled");
        assert_eq!(
            dialogs.submit(first.id, "123456").map_err(|e| e.code),
            Err("stale_mfa_request".to_string())
        );
        assert_eq!(
            dialogs.submit(second.id, "12 34").map_err(|e| e.code),
            Err("mfa_code_format".to_string())
        );
        assert!(dialogs.current().is_some(), "a malformed code leaves the question open");
        dialogs.submit(second.id, " 123 456 ").expect("accepted");
        match rx2.await {
            Ok(Answer::Code(code)) => assert_eq!(code.expose(), "123456"),
            other => panic!("expected a code, got {other:?}"),
        }
        assert!(dialogs.current().is_none());
    }

    #[tokio::test]
    async fn only_a_dialog_the_user_closed_cancels() {
        let dialogs = MfaDialogs::default();
        let (_, first) = dialogs.ask("a", None, &request(1));
        dialogs.closing_window();
        // The app closed the first dialog; the next request is already waiting when its
        // Destroyed event arrives.
        drop(first);
        let (next, mut rx) = dialogs.ask("b", None, &request(1));
        dialogs.window_destroyed();
        assert_eq!(dialogs.current().map(|v| v.id), Some(next.id), "still waiting");
        assert!(rx.try_recv().is_err());
        // A window the user closes cancels.
        dialogs.window_created();
        dialogs.window_destroyed();
        assert!(matches!(rx.await, Ok(Answer::Cancel)));
    }

    #[tokio::test]
    async fn the_next_dialog_waits_for_the_old_window_to_be_destroyed() {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let dialogs = MfaDialogs::default();
        let mut cx = Context::from_waker(Waker::noop());
        assert!(dialogs.previous_window_gone().await, "no window: at once");
        dialogs.window_created();
        assert!(
            dialogs.previous_window_gone().await,
            "an open window is reused, not waited for"
        );
        dialogs.closing_window();
        let mut gone = std::pin::pin!(dialogs.previous_window_gone());
        assert!(
            gone.as_mut().poll(&mut cx).is_pending(),
            "waits while it is on its way out"
        );
        dialogs.window_destroyed();
        assert_eq!(gone.as_mut().poll(&mut cx), Poll::Ready(true), "woken by Destroyed");
    }

    #[tokio::test]
    async fn cancel_answers_with_cancel() {
        let dialogs = MfaDialogs::default();
        let (view, rx) = dialogs.ask("oppara-dev", None, &request(1));
        assert!(!dialogs.cancel(Some(view.id + 1)), "another id cancels nothing");
        assert!(dialogs.cancel(Some(view.id)));
        assert!(matches!(rx.await, Ok(Answer::Cancel)));
        assert!(!dialogs.cancel(None));
    }
}
