//! rolebar-core: the domain of Rolebar, with no GUI dependency.
//!
//! AWS profiles (`profile`), long-term keys in the OS keyring (`keys`), STS calls (`sts`),
//! cached sessions (`session`), and the ways credentials leave (`outputs`).

pub mod clock;
pub mod credentials;
pub mod error;
pub mod profile;
pub mod sensitive;
pub mod session;

pub use credentials::Credentials;
pub use error::{Error, Result};
pub use sensitive::Secret;
pub use session::{Session, SessionKind};
