//! The `rolebar` binary in a home of its own, for the flow tests that need no service: the AWS
//! files, the state and config folders and the agent socket under `home`, no variable of the
//! caller's but PATH, and STS at a closed port (nothing may reach a network) unless a test sets
//! `AWS_ENDPOINT_URL_STS` itself. Each test adds what it needs (a keyring service, the memory
//! keyring) and runs it.

use std::path::Path;
use std::process::{Command, Stdio};

pub fn rolebar(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rolebar"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("ROLEBAR_STATE_DIR", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("xdg-config"))
        .env("ROLEBAR_AGENT_SOCKET", home.join("run/agent.sock"))
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
        .stdin(Stdio::null());
    command
}
