//! The credentials agent: a local socket the tray app serves and the CLI asks, so every tool that
//! needs AWS credentials gets them through the tray's one vault, cache and MFA dialog (as
//! ssh-agent does for SSH keys). The protocol is in docs/agent-protocol.md.
//!
//! - [`socket_path`] / [`ensure_private_dir`]: where the socket lives, in a folder only we enter;
//! - [`protocol`]: versioned JSON lines, capped at 64 KiB;
//! - [`Agent`] (unix): binds safely, checks each peer's uid, bounds connections and idle time,
//!   and folds concurrent equal requests into one ([`SingleFlight`]) before the [`Handler`];
//! - [`Client`] (unix): connects (`Ok(None)` when no agent runs) and asks, with a timeout;
//! - [`Peer`]: who asks, for the dialog;
//! - `call` / `subscribe` ([`Link`]): the window process's commands and its lasting connection
//!   to the tray (both are front ends of the same agent).
//!
//! Windows has no agent yet: [`socket_path`] says so (a named pipe is the plan; untested here).

#[cfg(unix)]
mod client;
pub(crate) mod error;
mod frame;
#[cfg(unix)]
mod link;
mod paths;
mod peer;
pub mod protocol;
#[cfg(unix)]
mod server;
mod single_flight;
pub mod window_link;

#[cfg(unix)]
pub use client::{request_timeout, Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, TIMEOUT_ENV};
pub use error::{AgentError, AgentFailure};
#[cfg(unix)]
pub use link::{Link, LinkError, LinkReader, LinkWriter, SEND_TIMEOUT};
pub use paths::{check_dir_owner, ensure_private_dir, socket_path, SOCKET_ENV};
pub use peer::{Peer, ProcessInfo, ProgramLookup};
pub use protocol::{
    AgentInfo, CallFailure, CallRequest, ClientContext, CredentialsRequest, SessionSummary, SubscribeRequest,
};
#[cfg(unix)]
pub use server::{Agent, Handler, ServerOptions};
pub use single_flight::SingleFlight;
