//! A front end's lasting connection to the agent, after `subscribe` (docs/agent-protocol.md,
//! "Front ends"): JSON lines both ways, each at most [`MAX_LINK_LINE`] bytes (a language's
//! whole catalogue travels in one), with no idle timeout —
//! the window process stays connected while it lives, and either side learns at once when the
//! other is gone (end of stream).
//!
//! The first line the agent writes is the reply to `subscribe` ([`LinkWriter::accept`] or
//! [`LinkWriter::refuse`]); what follows is up to the two sides.

use super::frame::{FrameError, FrameReader};
use super::protocol::{encode_call_failure, encode_ok, CallFailure};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

/// The longest line on a link, without its `\n`. Lines carry no secret (codes go by `call`), so
/// they are read into buffers that grow as needed, never held at this size ahead of time.
pub const MAX_LINK_LINE: usize = 4 * 1024 * 1024;

/// How long writing one line may take: a peer that stops reading is treated as gone, so a
/// stuck window process cannot stall the tray's pushes.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the other side sent a line longer than {MAX_LINK_LINE} bytes")]
    TooLarge,
    #[error("the other side sent a line that is not what the link carries: {0}")]
    Garbled(String),
    #[error("the link ended in the middle of a line")]
    Truncated,
    #[error("the link failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the other side did not read for {} s", SEND_TIMEOUT.as_secs())]
    Timeout,
}

/// Both halves of a link.
#[derive(Debug)]
pub struct Link {
    pub reader: LinkReader,
    pub writer: LinkWriter,
}

impl Link {
    pub(crate) fn new(frames: FrameReader<OwnedReadHalf>, write: OwnedWriteHalf) -> Self {
        Link {
            reader: LinkReader { frames },
            writer: LinkWriter {
                write: Arc::new(tokio::sync::Mutex::new(write)),
            },
        }
    }
}

/// The receiving half: one line at a time.
#[derive(Debug)]
pub struct LinkReader {
    frames: FrameReader<OwnedReadHalf>,
}

impl LinkReader {
    /// The next line, read as `T`; `Ok(None)` when the other side closed the link cleanly. After
    /// an error the link is to be dropped: a line that is too long is not read past.
    pub async fn recv<T: DeserializeOwned>(&mut self) -> Result<Option<T>, LinkError> {
        match self.frames.next_long_frame(MAX_LINK_LINE).await {
            Ok(None) => Ok(None),
            Ok(Some(line)) => serde_json::from_slice(&line)
                .map(Some)
                // serde_json names positions and fields, never values.
                .map_err(|e| LinkError::Garbled(e.to_string())),
            Err(FrameError::TooLarge) => Err(LinkError::TooLarge),
            Err(FrameError::Truncated) => Err(LinkError::Truncated),
            Err(FrameError::Io(e)) => Err(LinkError::Io(e)),
        }
    }
}

/// The sending half; cheap to clone, so every task that pushes holds one. Lines from different
/// tasks never interleave.
#[derive(Debug, Clone)]
pub struct LinkWriter {
    write: Arc<tokio::sync::Mutex<OwnedWriteHalf>>,
}

impl LinkWriter {
    /// Sends `line` as one JSON line.
    pub async fn send<T: Serialize + ?Sized>(&self, line: &T) -> Result<(), LinkError> {
        let mut bytes = serde_json::to_vec(line).map_err(|e| LinkError::Garbled(e.to_string()))?;
        if bytes.len() > MAX_LINK_LINE {
            return Err(LinkError::TooLarge);
        }
        bytes.push(b'\n');
        self.write_line(&bytes).await
    }

    /// The reply to `subscribe` that opens the link: `{"v":1,"ok":hello}`.
    pub async fn accept<T: Serialize>(&self, hello: &T) -> Result<(), LinkError> {
        self.write_line(&encode_ok(hello)).await
    }

    /// The reply to `subscribe` that refuses it; the caller then drops the link.
    pub async fn refuse(&self, failure: &CallFailure) -> Result<(), LinkError> {
        self.write_line(&encode_call_failure(failure)).await
    }

    async fn write_line(&self, bytes: &[u8]) -> Result<(), LinkError> {
        let mut write = self.write.lock().await;
        match tokio::time::timeout(SEND_TIMEOUT, write.write_all(bytes)).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(LinkError::Timeout),
        }
    }
}
