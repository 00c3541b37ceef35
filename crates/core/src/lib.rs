//! rolebar-core: the domain of Rolebar, with no GUI dependency.
//!
//! AWS profiles (`profile`), what the OS keyring holds (`keystore`), getting and keeping
//! sessions (`session`: the vault, STS, the cache), MFA codes (`mfa`), the programs a profile
//! runs (`programs`), the ways credentials leave (`outputs`), the AWS console's sign-in
//! (`console`), IAM Identity Center's sign-in and portal (`sso`), and `settings.json`
//! (`settings`). docs/ARCHITECTURE.md has the map.

mod accept_guard;
pub mod activity;
pub mod agent;
pub mod approvals;
pub mod clock;
pub mod console;
pub mod container_endpoint;
pub mod credentials;
pub mod error;
pub mod error_code;
pub mod import;
pub mod keystore;
pub mod logging;
pub mod mfa;
pub mod outputs;
pub mod private_file;
pub mod profile;
pub mod programs;
pub mod rendering;
pub mod rotation;
pub mod schedule;
pub mod sensitive;
pub mod session;
pub mod settings;
pub mod sso;

pub use credentials::Credentials;
pub use error::{Error, Result};
pub use error_code::{ErrorCode, HasCode};
pub use sensitive::Secret;
pub use session::{Session, SessionKind};
