//! The programs a profile or a setting names and Rolebar runs: a profile's `credential_process`
//! as the source of its credentials (`credential_source`), and the process group every such
//! helper runs in (`group`; `mfa_process` and ykman too, from `crate::mfa::source`).

pub mod credential_source;
pub(crate) mod group;
