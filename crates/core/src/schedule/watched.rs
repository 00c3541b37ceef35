//! What the expiry schedule watches besides the session cache: IAM Identity Center sign-ins
//! (under keys of their own) and sessions held out of the cache while a renewal is in flight.

use super::{SessionRef, Warning};
use crate::session::cache::CachedSessionInfo;
use std::sync::{Mutex, MutexGuard};
use time::OffsetDateTime;

/// The schedule's key prefix of an IAM Identity Center sign-in: it is watched as sessions are.
const SIGN_IN_KEY: &str = "sso-sign-in:";

/// The sign-ins, as the schedule watches them, from each usable sign-in's name and token end: at
/// each warning time before a token's end, one that can be renewed is renewed quietly (AWS then
/// says whether the sign-in still holds: its refresh token's end is known to nobody in advance);
/// one that cannot, or whose renewal AWS refuses, is warned about with "Sign in again".
pub fn sign_in_refs<'a>(sign_ins: impl IntoIterator<Item = (&'a str, OffsetDateTime)>) -> Vec<SessionRef> {
    sign_ins
        .into_iter()
        .map(|(name, at)| SessionRef::new(format!("{SIGN_IN_KEY}{name}"), name, at))
        .collect()
}

/// The sign-in a warning is about, if it is about one.
pub fn signed_in_to(warning: &Warning) -> Option<&str> {
    warning.key.strip_prefix(SIGN_IN_KEY)
}

/// Sessions taken out of the cache while they are renewed: still watched for expiry, since a
/// renewal that fails puts them back.
#[derive(Debug, Default)]
pub struct HeldSessions {
    held: Mutex<Vec<SessionRef>>,
}

impl HeldSessions {
    /// Keeps `sessions` watched until the guard is dropped.
    pub fn hold(&self, sessions: Vec<SessionRef>) -> Held<'_> {
        lock(&self.held).extend(sessions.iter().cloned());
        Held { by: self, sessions }
    }

    /// Every watched session: `cached` (expired ones included), the held ones not among them,
    /// then `sign_ins` (see [`sign_in_refs`]).
    pub fn watched(&self, cached: &[CachedSessionInfo], sign_ins: Vec<SessionRef>) -> Vec<SessionRef> {
        let mut sessions: Vec<SessionRef> = cached.iter().map(SessionRef::from).collect();
        for held in lock(&self.held).iter() {
            if !sessions.iter().any(|s| s.key == held.key) {
                sessions.push(held.clone());
            }
        }
        sessions.extend(sign_ins);
        sessions
    }
}

/// Sessions held for the expiry schedule during a renewal (see [`HeldSessions::hold`]).
#[derive(Debug)]
pub struct Held<'a> {
    by: &'a HeldSessions,
    sessions: Vec<SessionRef>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut held = lock(&self.by.held);
        for session in &self.sessions {
            if let Some(i) = held.iter().position(|h| h == session) {
                held.remove(i);
            }
        }
    }
}

/// A poisoned lock only means a panic elsewhere; the list of sessions is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
