//! The MFA dialog's queue, without the window: one question on screen at a time, answers
//! matched to the request they were typed for by id, and the dialog window's life as the app last
//! saw it (a request waits for the previous window's `Destroyed` event before it opens its own).
//! `mfa::DialogPrompt` opens the window and asks through this.

use crate::error::{codes, CommandError};
use crate::views::MfaRequestView;
use rolebar_core::mfa::{MfaCode, MfaRequest};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// How long a new request waits for the previous dialog's `Destroyed` event at most. It comes
/// within milliseconds; the bound only keeps a lost event from holding the vault.
pub(crate) const TEARDOWN_BOUND: Duration = Duration::from_secs(2);

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
pub(crate) enum Answer {
    Code(MfaCode),
    Cancel,
    /// The dialog could not be shown (its window process ended twice, or never came up).
    Lost,
    /// An approval question answered Allow once (`always: false`) or Always for this program.
    Approve {
        always: bool,
    },
}

#[derive(Debug)]
struct Pending {
    view: MfaRequestView,
    answer: oneshot::Sender<Answer>,
    /// When the question was put in the queue: the dialog's latency is logged from it.
    asked_at: Instant,
}

/// The question on screen, if any, and the queue for the dialog.
#[derive(Debug, Default)]
pub struct MfaDialogs {
    pub(crate) turn: Arc<tokio::sync::Mutex<()>>,
    pending: Mutex<Option<Pending>>,
    next_id: AtomicU32,
    /// While `Closing`, the app is destroying the dialog: its `Destroyed` event is not a user's
    /// cancel (and must not cancel the next request, which may already be waiting), and no new
    /// question may go to it.
    window: watch::Sender<DialogWindow>,
    /// The id of the question last put on screen (0: none yet), for whoever waits for one.
    pub(crate) shown: watch::Sender<u32>,
    /// The id of the question a dialog last fetched, so its latency is logged once.
    fetched: AtomicU32,
}

impl MfaDialogs {
    /// The request the dialog should show (the dialog asks on load, so none is missed).
    pub fn current(&self) -> Option<MfaRequestView> {
        self.lock().as_ref().map(|p| p.view.clone())
    }

    /// [`MfaDialogs::current`], for the dialog's page fetching its question: the first fetch of
    /// each question logs how long it took to get on screen (the benchmark reads that line; the
    /// page shows the question and focuses the field in the same frame).
    pub fn fetched(&self) -> Option<MfaRequestView> {
        let pending = self.lock();
        let p = pending.as_ref()?;
        if self.fetched.swap(p.view.id, Ordering::Relaxed) != p.view.id {
            tracing::info!(
                id = p.view.id,
                elapsed_ms = p.asked_at.elapsed().as_secs_f64() * 1000.0,
                "MFA dialog has its question"
            );
        }
        Some(p.view.clone())
    }

    /// Puts `request` on screen; the receiver gets the answer.
    pub(crate) fn ask(
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
            asked_at: Instant::now(),
        });
        (view, receiver)
    }

    /// Puts an approval question on screen (`approval_gate`); the receiver gets the answer.
    pub(crate) fn ask_approval(
        &self,
        profile: &str,
        requester: &str,
        ask: crate::views::ApprovalAskView,
    ) -> (MfaRequestView, oneshot::Receiver<Answer>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let view = MfaRequestView::approval(id, profile, requester, ask);
        let (answer, receiver) = oneshot::channel();
        *self.lock() = Some(Pending {
            view: view.clone(),
            answer,
            asked_at: Instant::now(),
        });
        (view, receiver)
    }

    /// Answers approval question `id`: Allow once, or Always (only where it was offered).
    pub fn approve(&self, id: u32, always: bool) -> Result<(), CommandError> {
        let mut pending = self.lock();
        let Some(asked) = pending.as_ref().filter(|p| p.view.id == id) else {
            return Err(stale(id));
        };
        match &asked.view.approval {
            None => {
                return Err(CommandError::new(
                    codes::INVALID_INPUT,
                    format!("request {id} asks for an MFA code, not an approval"),
                ))
            }
            Some(ask) if always && !ask.offer_always => {
                return Err(CommandError::new(
                    codes::INVALID_INPUT,
                    "\"Always for this program\" is not offered for this request",
                ))
            }
            Some(_) => {}
        }
        if let Some(p) = pending.take() {
            let _ = p.answer.send(Answer::Approve { always });
        }
        Ok(())
    }

    /// Answers request `id` with `input`. A malformed code is refused and the question stays,
    /// so the user can correct it; an answer to an older request is refused.
    pub fn submit(&self, id: u32, input: &str) -> Result<(), CommandError> {
        let mut pending = self.lock();
        if pending.as_ref().map(|p| p.view.id) != Some(id) {
            return Err(stale(id));
        }
        if pending.as_ref().is_some_and(|p| p.view.approval.is_some()) {
            return Err(CommandError::new(
                codes::INVALID_INPUT,
                format!("request {id} asks for an approval, not a code"),
            ));
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

    /// Fails request `id`: its dialog cannot be shown (`windows_link`).
    pub fn fail(&self, id: u32) -> bool {
        let mut pending = self.lock();
        if pending.as_ref().map(|p| p.view.id) != Some(id) {
            return false;
        }
        match pending.take() {
            Some(p) => {
                let _ = p.answer.send(Answer::Lost);
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
    pub(crate) async fn previous_window_gone(&self) -> bool {
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
