//! The clipboard, written from Rust only: exports hold secrets, and they must never pass through
//! the web view. One `arboard::Clipboard` lives as long as the app, because on X11 the copied text
//! is served by its owner and vanishes when the owner goes away.

use crate::error::{codes, CommandError};
use std::sync::Mutex;

/// Where copied text goes: the system clipboard, or memory in tests.
pub trait ClipboardSink: Send + Sync + std::fmt::Debug {
    fn set_text(&self, text: &str) -> Result<(), CommandError>;
}

/// The system clipboard, opened on first use (so the app starts without one, e.g. in tests) and
/// then kept open.
#[derive(Default)]
pub struct SystemClipboard {
    inner: Mutex<Option<arboard::Clipboard>>,
}

impl std::fmt::Debug for SystemClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SystemClipboard")
    }
}

impl ClipboardSink for SystemClipboard {
    fn set_text(&self, text: &str) -> Result<(), CommandError> {
        let unavailable = |e: arboard::Error| {
            CommandError::new(
                codes::CLIPBOARD_UNAVAILABLE,
                format!("the clipboard is not available: {e}"),
            )
        };
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let clipboard = match guard.as_mut() {
            Some(c) => c,
            None => guard.insert(arboard::Clipboard::new().map_err(unavailable)?),
        };
        clipboard.set_text(text).map_err(unavailable)
    }
}

/// Keeps the last text in memory (wiped when replaced or dropped); for tests.
#[derive(Debug, Default)]
pub struct MemoryClipboard {
    text: Mutex<Option<zeroize::Zeroizing<String>>>,
}

impl MemoryClipboard {
    pub fn text(&self) -> Option<String> {
        self.text
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|t| t.to_string())
    }
}

impl ClipboardSink for MemoryClipboard {
    fn set_text(&self, text: &str) -> Result<(), CommandError> {
        *self.text.lock().unwrap_or_else(|p| p.into_inner()) = Some(zeroize::Zeroizing::new(text.to_string()));
        Ok(())
    }
}
