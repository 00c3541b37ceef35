//! Bringing long-term keys over from other tools into Rolebar's keyring.

pub mod aws_vault;
mod file;
mod items;
mod pass;
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
mod secret_service;
