//! The pages' commands: each is forwarded to the tray (`call` on the agent socket, one
//! connection per command so that a command waiting for a person — Assume with its MFA dialog —
//! never holds up another, such as the code typed into that dialog). The tray's answer, or its
//! error with the tray's code, goes back to the page as it is. Tauri's capabilities still decide
//! which window may invoke which command, before anything is forwarded.
//!
//! Three commands concern this process's own windows and are answered here: `fit_mfa_dialog`,
//! `close_switcher` and `window_ready`.

use crate::shared::Shared;
use crate::windows;
use rolebar_core::agent::Client;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::{Invoke, InvokeBody, InvokeError};
use tauri::Manager;

/// How long a forwarded command may take: the longest a person may take in the tray (an IAM
/// Identity Center sign-in in the browser: 10 minutes) and a minute more.
const CALL_TIMEOUT: Duration = Duration::from_secs(11 * 60);

/// The tray cannot be reached: the page shows this code and message like any other failure.
const TRAY_GONE: &str = "tray_gone";

/// The invoke handler: answers the window's own commands, forwards the rest.
pub fn handler(shared: Arc<Shared>) -> impl Fn(Invoke) -> bool + Send + Sync + 'static {
    move |invoke: Invoke| {
        let command = invoke.message.command().to_string();
        let body = match invoke.message.payload() {
            InvokeBody::Json(body) => body.clone(),
            InvokeBody::Raw(_) => {
                invoke.resolver.reject(failure(
                    "invalid_input",
                    format!("`{command}` takes a JSON object, not raw bytes"),
                ));
                return true;
            }
        };
        match command.as_str() {
            "fit_mfa_dialog" => {
                let webview = invoke.message.webview();
                let height = body.get("height").and_then(Value::as_f64).unwrap_or(f64::NAN);
                let result = match webview.app_handle().get_webview_window(webview.label()) {
                    Some(window) => windows::fit_mfa(&window, height),
                    None => Err("the MFA dialog is gone".to_string()),
                };
                match result {
                    Ok(height) => invoke.resolver.resolve(height),
                    Err(message) => invoke.resolver.reject(failure("invalid_input", message)),
                }
            }
            "window_ready" => {
                let webview = invoke.message.webview();
                if let Some(window) = webview.app_handle().get_webview_window(webview.label()) {
                    windows::reveal(&window);
                }
                invoke.resolver.resolve(());
            }
            "close_switcher" => {
                let app = invoke.message.webview().app_handle().clone();
                windows::close(&app, rolebar_core::agent::window_link::WindowLabel::Switcher);
                invoke.resolver.resolve(());
            }
            _ => {
                let socket = shared.socket.clone();
                invoke
                    .resolver
                    .respond_async(async move { forward(&socket, &command, &body).await });
            }
        }
        true
    }
}

async fn forward(socket: &std::path::Path, command: &str, args: &Value) -> Result<Value, InvokeError> {
    let gone = |why: String| {
        InvokeError::from(failure(
            TRAY_GONE,
            format!("Rolebar's tray is not answering ({why}); start Rolebar again"),
        ))
    };
    let mut client = match Client::connect(socket, rolebar_core::agent::DEFAULT_CONNECT_TIMEOUT).await {
        Ok(Some(client)) => client,
        Ok(None) => return Err(gone("it is not running".into())),
        Err(e) => return Err(gone(e.to_string())),
    };
    match client.call(command, args, CALL_TIMEOUT).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(failed)) => Err(InvokeError::from(failure(&failed.code, failed.message))),
        Err(e) => Err(gone(e.to_string())),
    }
}

/// An error as the pages read every command's: `{code, message}`.
fn failure(code: &str, message: impl Into<String>) -> Value {
    json!({ "code": code, "message": message.into() })
}
