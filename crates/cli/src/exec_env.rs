//! What `exec` (and `exec --server`) put into a command's environment and take out of it.

/// Set in `exec`'s environment; its presence refuses a nested `exec`.
pub const PROFILE_VAR: &str = "ROLEBAR_PROFILE";

/// Variables that would give a command other credentials or another profile than the session
/// `exec` hands it: removed first (also by `exec --server`).
pub const STALE_VARIABLES: [&str; 11] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_FILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_PROFILE",
    "AWS_SDK_LOAD_CONFIG",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];
