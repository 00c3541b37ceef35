//! The windows (main, MFA dialog, quick switcher), created on demand and destroyed when closed (a hidden WebKit window keeps
//! ~200 MiB; a destroyed one frees its web process). The app lives on in the tray meanwhile.

use crate::error::{codes, CommandError};
use crate::i18n::Catalog;
use crate::shell::Shell;
use crate::views::{Intent, MessagesView, MfaRequestView};
use crate::windows_port::Windows;
pub use crate::windows_port::{MAIN, MFA, SWITCHER};
use tauri::{
    AppHandle, Emitter, LogicalSize, Manager, PhysicalPosition, Runtime, WebviewUrl, WebviewWindow,
    WebviewWindowBuilder,
};

/// Sessions, keys or profiles changed: the main window reloads its overview.
pub const CHANGED_EVENT: &str = "rolebar://changed";
/// The tray asks the open main window to do something (payload: `Intent`).
pub const INTENT_EVENT: &str = "rolebar://intent";
/// The language changed (payload: `MessagesView`): every open window redraws in it.
pub const LANGUAGE_EVENT: &str = "rolebar://language";
/// A new question for the open MFA dialog (payload: `MfaRequestView`), e.g. after a rejected code.
pub const MFA_REQUEST_EVENT: &str = "rolebar://mfa-request";

/// The app's windows as Tauri webviews: the shell's `Windows`.
pub struct TauriWindows<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> std::fmt::Debug for TauriWindows<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TauriWindows").finish_non_exhaustive()
    }
}

impl<R: Runtime> TauriWindows<R> {
    /// The words of the language in force (English before the shell is managed).
    fn words(&self) -> &'static Catalog {
        match self.0.try_state::<Shell>() {
            Some(shell) => shell.state().catalog(),
            None => Catalog::get(crate::i18n::Language::English),
        }
    }

    /// The MFA queue's idea of the dialog window, kept in step with what happens to it.
    fn dialogs(&self, tell: impl FnOnce(&crate::mfa_queue::MfaDialogs)) {
        if let Some(shell) = self.0.try_state::<Shell>() {
            tell(&shell.state().mfa);
        }
    }
}

impl<R: Runtime> Windows for TauriWindows<R> {
    fn open_main(&self, intent: Option<Intent>) -> Result<(), CommandError> {
        open_main(&self.0, intent)
    }

    fn show_mfa(&self, request: &MfaRequestView) -> Result<(), CommandError> {
        let created = show_mfa(&self.0, request, self.words())
            .map_err(|e| CommandError::new(codes::WINDOW_FAILED, format!("cannot open the MFA dialog: {e}")))?;
        if created {
            self.dialogs(|d| d.window_created());
        }
        Ok(())
    }

    fn close_mfa(&self) {
        if let Some(window) = self.0.get_webview_window(MFA) {
            self.dialogs(|d| d.closing_window());
            if let Err(e) = window.destroy() {
                tracing::warn!(error = %e, "cannot close the MFA dialog");
                // Still there: no Destroyed event will come for the next request to wait for.
                self.dialogs(|d| d.window_created());
            }
        }
    }

    fn open_switcher(&self) -> Result<(), CommandError> {
        open_switcher(&self.0, self.words())
            .map_err(|e| CommandError::new(codes::WINDOW_FAILED, format!("cannot open the quick switcher: {e}")))
    }

    fn close(&self, label: &str) {
        if let Some(window) = self.0.get_webview_window(label) {
            if let Err(e) = window.destroy() {
                tracing::warn!(error = %e, label, "cannot close a window");
            }
        }
    }

    fn is_open(&self, label: &str) -> bool {
        self.0.get_webview_window(label).is_some()
    }

    fn changed(&self) {
        if self.0.get_webview_window(MAIN).is_some() {
            let _ = self.0.emit_to(MAIN, CHANGED_EVENT, ());
        }
    }

    /// Sends the messages of the language now in force to every open window, and retitles the
    /// MFA dialog and the switcher (the main window's title, "Rolebar", is the same in every
    /// language).
    fn language(&self, messages: &MessagesView) {
        let words = self.words();
        for (label, title) in [(MFA, "mfa-window-title"), (SWITCHER, "switcher-window-title")] {
            if let Some(window) = self.0.get_webview_window(label) {
                let _ = window.set_title(&words.tr(title));
            }
        }
        for label in [MAIN, MFA, SWITCHER] {
            if self.0.get_webview_window(label).is_some() {
                let _ = self.0.emit_to(label, LANGUAGE_EVENT, messages);
            }
        }
    }
}

/// Opens (or raises) the main window, passing `intent` along.
fn open_main<R: Runtime>(app: &AppHandle<R>, intent: Option<Intent>) -> Result<(), CommandError> {
    let failed =
        |e: tauri::Error| CommandError::new(codes::WINDOW_FAILED, format!("cannot open the Rolebar window: {e}"));
    if let Some(window) = app.get_webview_window(MAIN) {
        // Best effort: a window manager may refuse focus; the window is there either way.
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if let Some(intent) = intent {
            window.emit_to(MAIN, INTENT_EVENT, intent).map_err(failed)?;
        }
        return Ok(());
    }
    // A new window reads its intent from the URL: it cannot miss an event sent before it listens.
    let url = match &intent {
        Some(Intent::Write { session_id }) => {
            format!("index.html#write={}", percent_encode(session_id))
        }
        None => "index.html".to_string(),
    };
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App(url.into()))
        .title("Rolebar")
        .inner_size(900.0, 680.0)
        .min_inner_size(640.0, 480.0)
        .center()
        .focused(true)
        .build()
        .map_err(failed)?;
    Ok(())
}

/// The MFA dialog's width; its height follows its content (see [`fit_mfa`]).
pub const MFA_WIDTH: f64 = 440.0;
/// Bounds for a measured height: a page that reports nonsense cannot hide the buttons (too
/// small) or cover the screen (too big). The dialog is created at the lower one: GTK never makes
/// a non-resizable window smaller than the size it was created with (it pins the size to at least
/// the default), so a first size any larger would stay as a blank band under shorter content.
const MFA_HEIGHT_BOUNDS: (f64, f64) = (200.0, 720.0);

/// Sizes the MFA dialog to `content_height` (logical pixels, as the page measured its body) and
/// centres it again: the texts differ in length by language and request (a reason, an error line),
/// so a fixed size either cuts the buttons off or leaves a blank band under them. Returns the
/// height set.
pub fn fit_mfa<R: Runtime>(window: &WebviewWindow<R>, content_height: f64) -> Result<f64, CommandError> {
    if window.label() != MFA {
        return Err(CommandError::new(
            codes::INVALID_INPUT,
            "only the MFA dialog is sized to its content",
        ));
    }
    if !content_height.is_finite() {
        return Err(CommandError::new(
            codes::INVALID_INPUT,
            "the dialog's height must be a number of pixels",
        ));
    }
    let height = content_height.ceil().clamp(MFA_HEIGHT_BOUNDS.0, MFA_HEIGHT_BOUNDS.1);
    let failed = |e: tauri::Error| CommandError::new(codes::WINDOW_FAILED, format!("cannot size the MFA dialog: {e}"));
    window.set_size(LogicalSize::new(MFA_WIDTH, height)).map_err(failed)?;
    // Best effort, as for focus: the window manager has the last word on placement.
    if let Err(e) = centre(window, height) {
        tracing::debug!(error = %e, "cannot centre the MFA dialog");
    }
    Ok(height)
}

/// Centres the dialog for its new inner height. Not `Window::center`: that measures the window
/// as it is now, and the new size reaches GTK only after this call has returned.
fn centre<R: Runtime>(window: &WebviewWindow<R>, inner_height: f64) -> tauri::Result<()> {
    let Some(monitor) = window.current_monitor()?.or(window.primary_monitor()?) else {
        return Ok(());
    };
    let scale = monitor.scale_factor();
    // The frame around the page (title bar, borders) stays the same when the page grows.
    let (outer, inner) = (window.outer_size()?, window.inner_size()?);
    let frame_w = i64::from(outer.width.saturating_sub(inner.width));
    let frame_h = i64::from(outer.height.saturating_sub(inner.height));
    let width = (MFA_WIDTH * scale).round() as i64 + frame_w;
    let height = (inner_height * scale).round() as i64 + frame_h;
    let (area, origin) = (monitor.size(), monitor.position());
    let x = i64::from(origin.x) + (i64::from(area.width) - width) / 2;
    let y = i64::from(origin.y) + (i64::from(area.height) - height) / 2;
    let clamp = |v: i64| i32::try_from(v).unwrap_or(0);
    window.set_position(PhysicalPosition::new(clamp(x), clamp(y)))
}

/// Shows `request` in the MFA dialog: creates the dialog (`true`), or updates the open one
/// (re-asks after a rejected code keep the same window).
fn show_mfa<R: Runtime>(app: &AppHandle<R>, request: &MfaRequestView, words: &Catalog) -> tauri::Result<bool> {
    if let Some(window) = app.get_webview_window(MFA) {
        window.emit_to(MFA, MFA_REQUEST_EVENT, request)?;
        let _ = window.show();
        let _ = window.set_focus();
        return Ok(false);
    }
    let window = WebviewWindowBuilder::new(app, MFA, WebviewUrl::App("mfa.html".into()))
        .title(words.tr("mfa-window-title"))
        .inner_size(MFA_WIDTH, MFA_HEIGHT_BOUNDS.0)
        .resizable(false)
        .minimizable(false)
        .maximizable(false)
        .always_on_top(true)
        .center()
        .focused(true)
        .build()?;
    let _ = window.set_focus();
    Ok(true)
}

/// The quick switcher's size: about ten matches under the search field.
const SWITCHER_SIZE: (f64, f64) = (560.0, 400.0);

/// Opens (or raises) the quick switcher, centred and focused, above other windows.
fn open_switcher<R: Runtime>(app: &AppHandle<R>, words: &Catalog) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(SWITCHER) {
        let _ = window.show();
        let _ = window.set_focus();
        return Ok(());
    }
    let window = WebviewWindowBuilder::new(app, SWITCHER, WebviewUrl::App("switcher.html".into()))
        .title(words.tr("switcher-window-title"))
        .inner_size(SWITCHER_SIZE.0, SWITCHER_SIZE.1)
        .resizable(false)
        .minimizable(false)
        .maximizable(false)
        .decorations(false)
        .skip_taskbar(true)
        .always_on_top(true)
        .center()
        .focused(true)
        .build()?;
    let _ = window.set_focus();
    Ok(())
}

/// Percent-encodes everything but unreserved URL characters (RFC 3986).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn session_ids_survive_the_url() {
        assert_eq!(
            super::percent_encode("session:AssumeRole:a b/é"),
            "session%3AAssumeRole%3Aa%20b%2F%C3%A9"
        );
    }
}
