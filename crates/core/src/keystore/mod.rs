//! What Rolebar keeps in the OS keyring: the store itself (`store`: the keyring, or memory for
//! tests), the long-term keys kept there (`keys`), and the non-secret index of what it holds
//! (`index`: keyrings cannot list).

pub mod index;
pub mod keys;
pub mod store;
