//! PKCE (RFC 7636) and the OAuth `state` for the browser sign-in: a verifier only this process
//! knows, whose S256 challenge goes to the browser, and a random state that ties the redirect
//! to this sign-in.

use super::error::SsoError;
use crate::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A code verifier: 64 characters of base64url (48 random bytes), within RFC 7636's 43 to 128
/// unreserved characters, as long as the AWS CLI's.
pub fn new_verifier() -> Result<Secret, SsoError> {
    Ok(Secret::new(random_base64url::<48>()?.to_string()))
}

/// A state value: 22 characters of base64url (16 random bytes).
pub fn new_state() -> Result<String, SsoError> {
    Ok(random_base64url::<16>()?.to_string())
}

/// The S256 challenge of `verifier`: base64url without padding of its SHA-256.
pub fn challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

fn random_base64url<const N: usize>() -> Result<Zeroizing<String>, SsoError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut_slice()).map_err(|e| SsoError::Random { detail: e.to_string() })?;
    Ok(Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_slice())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_matches_rfc_7636_appendix_b() {
        let verifier = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge(&verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifiers_and_states_are_random_and_well_formed() {
        let a = new_verifier().expect("verifier");
        let b = new_verifier().expect("verifier");
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 64);
        assert!(a
            .expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        let s = new_state().expect("state");
        assert_eq!(s.len(), 22);
        assert_ne!(s, new_state().expect("state"));
    }
}
