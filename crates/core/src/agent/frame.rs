//! Reading `\n`-terminated frames with a hard cap, into one fixed, zeroized buffer.
//!
//! The buffer is allocated once at its final size (cap + 1 byte), so no reallocation ever leaves
//! a copy of a reply's secrets in freed memory, and a peer cannot make us hold more than the cap:
//! a longer line is reported as soon as the cap is passed, without reading the rest.

use tokio::io::{AsyncRead, AsyncReadExt};
use zeroize::Zeroizing;

/// The longest line either side accepts, without its `\n` (see `protocol`).
pub const MAX_FRAME: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub(crate) enum FrameError {
    #[error("a line longer than {MAX_FRAME} bytes")]
    TooLarge,
    #[error("the connection ended in the middle of a line")]
    Truncated,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub(crate) struct FrameReader<R> {
    inner: R,
    buf: Zeroizing<Vec<u8>>,
    /// Bytes read into `buf`.
    filled: usize,
    /// Bytes of `buf` handed out as the previous frame (with its `\n`), dropped at the next read.
    consumed: usize,
    /// Bytes of the pending line already searched for `\n`.
    scanned: usize,
}

impl<R> std::fmt::Debug for FrameReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameReader").field("buffered", &self.filled).finish()
    }
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self::with_cap(inner, MAX_FRAME)
    }

    /// `cap`: the longest line without its `\n`.
    pub(crate) fn with_cap(inner: R, cap: usize) -> Self {
        FrameReader {
            inner,
            buf: Zeroizing::new(vec![0; cap + 1]),
            filled: 0,
            consumed: 0,
            scanned: 0,
        }
    }

    /// The next line without its `\n` (and without a `\r` before it), or `None` at a clean end
    /// of the stream. Cancel safe: bytes read before a cancellation stay buffered.
    pub(crate) async fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        if self.consumed > 0 {
            self.buf.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
            self.scanned = 0;
        }
        loop {
            if let Some(at) = self.buf[self.scanned..self.filled].iter().position(|b| *b == b'\n') {
                let end = self.scanned + at;
                self.consumed = end + 1;
                let line = &self.buf[..end];
                return Ok(Some(line.strip_suffix(b"\r").unwrap_or(line)));
            }
            self.scanned = self.filled;
            if self.filled == self.buf.len() {
                return Err(FrameError::TooLarge);
            }
            let filled = self.filled;
            let n = self.inner.read(&mut self.buf[filled..]).await?;
            if n == 0 {
                return if self.filled == 0 {
                    Ok(None)
                } else {
                    Err(FrameError::Truncated)
                };
            }
            self.filled += n;
        }
    }

    /// The next line, which may be longer than the buffer (up to `max` bytes without its `\n`),
    /// gathered into a vector of its own that grows as it is read: for lines that hold no secret
    /// and may be large (a front end's command results, a link's lines), without every reader
    /// holding a buffer of the largest size. Same framing and errors as [`Self::next_frame`].
    pub(crate) async fn next_long_frame(&mut self, max: usize) -> Result<Option<Vec<u8>>, FrameError> {
        if self.consumed > 0 {
            self.buf.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
            self.scanned = 0;
        }
        let mut line = Vec::new();
        loop {
            if let Some(at) = self.buf[..self.filled].iter().position(|b| *b == b'\n') {
                line.extend_from_slice(&self.buf[..at]);
                self.consumed = at + 1;
                self.scanned = 0;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return if line.len() > max {
                    Err(FrameError::TooLarge)
                } else {
                    Ok(Some(line))
                };
            }
            line.extend_from_slice(&self.buf[..self.filled]);
            self.filled = 0;
            self.scanned = 0;
            if line.len() > max {
                return Err(FrameError::TooLarge);
            }
            let n = self.inner.read(&mut self.buf[..]).await?;
            if n == 0 {
                return if line.is_empty() {
                    Ok(None)
                } else {
                    Err(FrameError::Truncated)
                };
            }
            self.filled = n;
        }
    }

    /// Resolves when the peer closes its end (or the connection fails), while a request is being
    /// answered: anything the peer sends meanwhile is kept for [`Self::next_frame`]. Pends forever
    /// once the buffer is full (the next `next_frame` reports that). Cancel safe.
    pub(crate) async fn closed(&mut self) {
        loop {
            if self.filled == self.buf.len() {
                return std::future::pending().await;
            }
            let filled = self.filled;
            match self.inner.read(&mut self.buf[filled..]).await {
                Ok(0) | Err(_) => return,
                Ok(n) => self.filled += n,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn long_frames_grow_past_the_buffer_up_to_their_own_bound() {
        let long = vec![b'a'; 100];
        let mut input = b"short\n".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b"\r\nnext\n");
        input.extend_from_slice(&vec![b'b'; 300]);
        input.push(b'\n');
        input.extend_from_slice(b"cut");
        let mut reader = FrameReader::with_cap(&input[..], 8);
        assert_eq!(reader.next_frame().await.expect("short"), Some(&b"short"[..]));
        assert_eq!(reader.next_long_frame(200).await.expect("long"), Some(long));
        assert_eq!(reader.next_frame().await.expect("next"), Some(&b"next"[..]));
        assert!(matches!(reader.next_long_frame(200).await, Err(FrameError::TooLarge)));
        let mut reader = FrameReader::with_cap(&b"cut"[..], 8);
        assert!(matches!(reader.next_long_frame(200).await, Err(FrameError::Truncated)));
        let mut reader = FrameReader::with_cap(&b""[..], 8);
        assert_eq!(reader.next_long_frame(200).await.expect("end"), None);
    }

    async fn frames(input: &[u8], cap: usize) -> Vec<Result<Vec<u8>, String>> {
        let mut reader = FrameReader::with_cap(input, cap);
        let mut out = Vec::new();
        loop {
            match reader.next_frame().await {
                Ok(Some(line)) => out.push(Ok(line.to_vec())),
                Ok(None) => return out,
                Err(e) => {
                    out.push(Err(e.to_string()));
                    return out;
                }
            }
        }
    }

    #[tokio::test]
    async fn lines_split_on_newlines_and_crlf_is_accepted() {
        let got = frames(b"one\ntwo\r\n\nlast\n", 8).await;
        let lines: Vec<_> = got.into_iter().map(|r| r.expect("line")).collect();
        assert_eq!(lines, [&b"one"[..], b"two", b"", b"last"]);
    }

    #[tokio::test]
    async fn the_cap_is_the_longest_line_without_its_newline() {
        assert_eq!(frames(b"12345678\n", 8).await, [Ok(b"12345678".to_vec())]);
        let got = frames(b"123456789\nnext\n", 8).await;
        assert_eq!(got.len(), 1);
        assert!(got[0].as_ref().is_err_and(|e| e.contains("longer than")), "{got:?}");
    }

    #[tokio::test]
    async fn a_line_cut_by_the_end_of_the_stream_is_an_error() {
        let got = frames(b"whole\nhal", 8).await;
        assert_eq!(got[0], Ok(b"whole".to_vec()));
        assert!(got[1].as_ref().is_err_and(|e| e.contains("middle")), "{got:?}");
    }

    #[tokio::test]
    async fn bytes_sent_while_waiting_for_a_close_are_kept() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut reader = FrameReader::with_cap(server, 16);
        client.write_all(b"first\nsec").await.expect("write");
        assert_eq!(reader.next_frame().await.expect("ok"), Some(&b"first"[..]));
        client.write_all(b"ond\n").await.expect("write");
        drop(client);
        reader.closed().await;
        assert_eq!(reader.next_frame().await.expect("ok"), Some(&b"second"[..]));
        assert_eq!(reader.next_frame().await.expect("ok"), None);
    }

    proptest::proptest! {
        /// Arbitrary bytes, split into frames and decoded as requests: no panic, no frame over
        /// the cap, and without over-long lines every line comes back as sent.
        #[test]
        fn arbitrary_bytes_frame_and_decode_without_panic(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![8 => 0x20u8..0x7f, 1 => proptest::strategy::Just(b'\n'), 1 => proptest::prelude::any::<u8>()],
                0..2048,
            ),
            cap in 1usize..80,
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
            let (lines, failed) = runtime.block_on(async {
                let mut reader = FrameReader::with_cap(&bytes[..], cap);
                let mut lines = Vec::new();
                loop {
                    match reader.next_frame().await {
                        Ok(Some(line)) => {
                            let _ = super::super::protocol::decode_request(line);
                            lines.push(line.to_vec());
                        }
                        Ok(None) => return (lines, false),
                        Err(_) => return (lines, true),
                    }
                }
            });
            for line in &lines {
                proptest::prop_assert!(line.len() <= cap && !line.contains(&b'\n'));
            }
            let sent: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
            if bytes.last() == Some(&b'\n') && sent.iter().all(|line| line.len() <= cap) {
                let expected: Vec<&[u8]> = sent[..sent.len() - 1]
                    .iter()
                    .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
                    .collect();
                proptest::prop_assert!(!failed);
                proptest::prop_assert_eq!(&lines[..], &expected[..]);
            }
        }
    }
}
