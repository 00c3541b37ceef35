//! Shared test helpers: a scripted MFA prompt, a recording STS fake, a vault over memory, and the
//! IAM Identity Center double (`sso`).
#![allow(dead_code)]

pub mod logs;
pub mod secret_service;
pub mod sso;
pub mod sts_double;

/// The keys every section Rolebar writes into a credentials file holds (the spec the tests hold
/// the writer to, kept apart from the writer's own constants on purpose).
pub const WRITTEN_KEYS: [&str; 6] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "manager",
    "rolebar_expiration",
    "rolebar_source_profile",
];

/// The names in a folder, sorted: what a write left behind next to the file.
pub fn file_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

use rolebar_core::clock::ManualClock;
use rolebar_core::keystore::index::Index;
use rolebar_core::keystore::keys::KeyStore;
use rolebar_core::keystore::store::{MemoryStore, SecretStore};
use rolebar_core::mfa::{MfaCode, MfaPrompt, MfaRequest};
use rolebar_core::profile::ProfileSet;
use rolebar_core::session::cache::SessionCache;
use rolebar_core::session::sts::RoleAssumer;
use rolebar_core::session::vault::Vault;
use rolebar_core::Error;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use time::macros::datetime;

/// Answers MFA prompts from a list, and records what was asked.
#[derive(Debug, Default)]
pub struct ScriptedPrompt {
    answers: Mutex<VecDeque<String>>,
    pub asked: Mutex<Vec<MfaRequest>>,
}

impl ScriptedPrompt {
    pub fn new(answers: &[&str]) -> Self {
        ScriptedPrompt {
            answers: Mutex::new(answers.iter().map(|s| s.to_string()).collect()),
            asked: Mutex::default(),
        }
    }

    pub fn asked(&self) -> Vec<MfaRequest> {
        self.asked.lock().expect("lock").clone()
    }
}

#[async_trait::async_trait]
impl MfaPrompt for ScriptedPrompt {
    async fn code(&self, request: &MfaRequest) -> Result<MfaCode, Error> {
        self.asked.lock().expect("lock").push(request.clone());
        let answer = self
            .answers
            .lock()
            .expect("lock")
            .pop_front()
            .ok_or(Error::MfaCancelled)?;
        MfaCode::parse(&answer)
    }
}

pub fn profiles(config: &str, credentials: &str) -> ProfileSet {
    ProfileSet::parse(
        Path::new("/test/config"),
        config,
        Path::new("/test/credentials"),
        credentials,
    )
    .expect("test config parses")
}

pub struct TestVault {
    pub vault: Vault,
    pub store: Arc<MemoryStore>,
    pub clock: ManualClock,
    pub index: Index,
    pub dir: tempfile::TempDir,
}

pub fn vault_with(sts: Arc<dyn RoleAssumer>) -> TestVault {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(MemoryStore::new());
    let clock = ManualClock::new(datetime!(2026-11-25 12:00 UTC));
    let index = Index::at(dir.path().join("index.json"));
    let vault = rebuild(store.clone(), &index, &clock, sts);
    TestVault {
        vault,
        store,
        clock,
        index,
        dir,
    }
}

/// A new vault over the same keyring and index: what a restart of the app sees.
pub fn rebuild(store: Arc<dyn SecretStore>, index: &Index, clock: &ManualClock, sts: Arc<dyn RoleAssumer>) -> Vault {
    let keys = KeyStore::new(store.clone(), index.clone());
    let cache = SessionCache::new(store, index.clone(), Arc::new(clock.clone()));
    Vault::new(keys, cache, sts, Arc::new(clock.clone()))
}
