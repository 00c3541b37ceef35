//! The windows this process shows, created when the tray asks and destroyed when closed (a
//! destroyed window frees its web process; the process itself goes when none is left).
//!
//! A window is made hidden and shown when its page says it has drawn (`window_ready`), or after
//! [`READY_BOUND`] if the page never says so. Not only so that no blank frame flashes: WebKitGTK
//! waits, synchronously on the main thread, for the web process to answer a window's first
//! showing, and when the window is shown while that process is still starting the wait runs to
//! its 500 ms timeout (measured: a cold MFA dialog took 270–360 ms or ~850 ms, at random; shown
//! once its page runs, 250–310 ms every time).

use rolebar_core::agent::window_link::{ToTray, WindowLabel};
use serde_json::Value;
use std::time::Duration;
use tauri::{
    AppHandle, Emitter, LogicalSize, LogicalUnit, Manager, PhysicalPosition, WebviewUrl, WebviewWindow,
    WebviewWindowBuilder, WindowSizeConstraints,
};

use rolebar_core::agent::window_link::events::{
    CHANGED as CHANGED_EVENT, INTENT as INTENT_EVENT, LANGUAGE as LANGUAGE_EVENT, MFA_REQUEST as MFA_REQUEST_EVENT,
};

/// The MFA dialog's width; its height follows its content (see [`fit_mfa`]).
pub const MFA_WIDTH: f64 = 440.0;
/// Bounds for a measured height: a page that reports nonsense cannot hide the buttons (too
/// small) or cover the screen (too big). The dialog is created at the lower one: GTK never makes
/// a non-resizable window smaller than the size it was created with.
const MFA_HEIGHT_BOUNDS: (f64, f64) = (200.0, 720.0);

/// How long a new window stays hidden waiting for its page's `window_ready`: a page that failed
/// to load or run is shown anyway (blank or with WebKit's error), never left invisible.
const READY_BOUND: Duration = Duration::from_secs(3);

/// The quick switcher's size: about ten matches under the search field.
const SWITCHER_SIZE: (f64, f64) = (560.0, 400.0);

/// Opens `window` (or raises it, passing `intent` to the main window and `request` to the MFA
/// dialog). A window made here is reported to the tray (`created`).
pub fn open(
    app: &AppHandle,
    window: WindowLabel,
    title: Option<String>,
    intent: Option<Value>,
    request: Option<Value>,
) -> tauri::Result<()> {
    let label = window.as_str();
    if let Some(open) = app.get_webview_window(label) {
        reveal(&open);
        if let Some(intent) = intent {
            open.emit_to(label, INTENT_EVENT, intent)?;
        }
        if let Some(request) = request {
            open.emit_to(label, MFA_REQUEST_EVENT, request)?;
        }
        return Ok(());
    }
    let built = match window {
        WindowLabel::Main => {
            // A new window reads its intent from the URL: it cannot miss an event sent before
            // it listens.
            let url = match intent.as_ref().and_then(write_session) {
                Some(id) => format!("index.html#write={}", percent_encode(id)),
                None => "index.html".to_string(),
            };
            WebviewWindowBuilder::new(app, label, WebviewUrl::App(url.into()))
                .title("Rolebar")
                .inner_size(900.0, 680.0)
                .min_inner_size(640.0, 480.0)
                .center()
                .visible(false)
                .focused(true)
                .build()?
        }
        // The dialog asks the tray for its question when its page loads (`mfa_request`).
        // Fixed by equal minimum and maximum sizes rather than `resizable(false)`: GTK shows a
        // non-resizable window at its content's natural size (taller than the dialog, as the page
        // has loaded by the time it is shown) and never shrinks it below that.
        WindowLabel::Mfa => WebviewWindowBuilder::new(app, label, WebviewUrl::App("mfa.html".into()))
            .title(title.unwrap_or_else(|| "Rolebar".into()))
            .inner_size(MFA_WIDTH, MFA_HEIGHT_BOUNDS.0)
            .min_inner_size(MFA_WIDTH, MFA_HEIGHT_BOUNDS.0)
            .max_inner_size(MFA_WIDTH, MFA_HEIGHT_BOUNDS.0)
            .minimizable(false)
            .maximizable(false)
            .always_on_top(true)
            .center()
            .visible(false)
            .focused(true)
            .build()?,
        WindowLabel::Switcher => WebviewWindowBuilder::new(app, label, WebviewUrl::App("switcher.html".into()))
            .title(title.unwrap_or_else(|| "Rolebar".into()))
            .inner_size(SWITCHER_SIZE.0, SWITCHER_SIZE.1)
            .resizable(false)
            .minimizable(false)
            .maximizable(false)
            .decorations(false)
            .skip_taskbar(true)
            .always_on_top(true)
            .center()
            .visible(false)
            .focused(true)
            .build()?,
    };
    show_if_never_ready(built);
    crate::shared::tell(app, ToTray::Created { window });
    Ok(())
}

/// Shows `window` and gives it the focus (the page calling `window_ready`; the tray asking for
/// a window already open). Best effort: a window manager may refuse focus.
pub fn reveal(window: &WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        // Not show + set_focus: tao queues the showing and ignores a focus request for a window
        // that is not visible yet, so a window made hidden would come up without the focus (and
        // the switcher, which closes when it loses the focus, would never have had it).
        let target = window.clone();
        let presented = window.run_on_main_thread(move || {
            if let Ok(gtk_window) = target.gtk_window() {
                use gtk::prelude::{GtkWindowExt, WidgetExt};
                gtk_window.show_all();
                gtk_window.present();
            }
        });
        if presented.is_ok() {
            return;
        }
    }
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

fn show_if_never_ready(window: WebviewWindow) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(READY_BOUND).await;
        // Gone (closed, destroyed) or shown: nothing to do.
        if window.is_visible().is_ok_and(|visible| !visible) {
            tracing::warn!(
                label = window.label(),
                "the page did not say it was drawn; shown anyway"
            );
            reveal(&window);
        }
    });
}

/// The session id of a "write" intent (`{"kind":"write","sessionId":…}`).
fn write_session(intent: &Value) -> Option<&str> {
    (intent.get("kind")?.as_str()? == "write")
        .then(|| intent.get("sessionId")?.as_str())
        .flatten()
}

/// Destroys `window` if it is open.
pub fn close(app: &AppHandle, window: WindowLabel) {
    if let Some(open) = app.get_webview_window(window.as_str()) {
        if let Err(e) = open.destroy() {
            tracing::warn!(error = %e, label = window.as_str(), "cannot close a window");
        }
    }
}

/// Redraws every open window in the new language and retitles the dialogs.
pub fn language(app: &AppHandle, messages: &Value, titles: &std::collections::BTreeMap<String, String>) {
    for (label, open) in app.webview_windows() {
        if let Some(title) = titles.get(&label) {
            let _ = open.set_title(title);
        }
        let _ = open.emit_to(label.as_str(), LANGUAGE_EVENT, messages);
    }
}

/// Tells the main window, if open, to reload.
pub fn changed(app: &AppHandle) {
    if app.get_webview_window(WindowLabel::Main.as_str()).is_some() {
        let _ = app.emit_to(WindowLabel::Main.as_str(), CHANGED_EVENT, ());
    }
}

/// Sizes the MFA dialog to `content_height` (logical pixels, as the page measured its body) and
/// centres it again: the texts differ in length by language and request, so a fixed size either
/// cuts the buttons off or leaves a blank band under them. Returns the height set.
pub fn fit_mfa(window: &WebviewWindow, content_height: f64) -> Result<f64, String> {
    if window.label() != WindowLabel::Mfa.as_str() {
        return Err("only the MFA dialog is sized to its content".into());
    }
    if !content_height.is_finite() {
        return Err("the dialog's height must be a number of pixels".into());
    }
    let height = content_height.ceil().clamp(MFA_HEIGHT_BOUNDS.0, MFA_HEIGHT_BOUNDS.1);
    let fixed = Some(LogicalUnit::new(MFA_WIDTH).into());
    let (tall, size) = (
        Some(LogicalUnit::new(height).into()),
        LogicalSize::new(MFA_WIDTH, height),
    );
    window
        .set_size_constraints(WindowSizeConstraints {
            min_width: fixed,
            min_height: tall,
            max_width: fixed,
            max_height: tall,
        })
        .and_then(|()| window.set_size(size))
        .map_err(|e| format!("cannot size the MFA dialog: {e}"))?;
    // Best effort, as for focus: the window manager has the last word on placement.
    if let Err(e) = centre(window, height) {
        tracing::debug!(error = %e, "cannot centre the MFA dialog");
    }
    Ok(height)
}

/// Centres the dialog for its new inner height. Not `Window::center`: that measures the window
/// as it is now, and the new size reaches GTK only after this call has returned.
fn centre(window: &WebviewWindow, inner_height: f64) -> tauri::Result<()> {
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
    use serde_json::json;

    #[test]
    fn session_ids_survive_the_url() {
        assert_eq!(
            super::percent_encode("session:AssumeRole:a b/é"),
            "session%3AAssumeRole%3Aa%20b%2F%C3%A9"
        );
    }

    #[test]
    fn only_a_write_intent_opens_the_form() {
        assert_eq!(
            super::write_session(&json!({"kind":"write","sessionId":"s1"})),
            Some("s1")
        );
        assert_eq!(super::write_session(&json!({"kind":"other","sessionId":"s1"})), None);
        assert_eq!(super::write_session(&json!({"kind":"write"})), None);
    }
}
