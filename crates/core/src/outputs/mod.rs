//! The ways a session leaves Rolebar for other tools:
//!
//! - [`credentials_file`]: written into a profile of `~/.aws/credentials`, marked as Rolebar's,
//!   with every other byte of the file kept;
//! - [`exports`]: lines to paste into a shell, in the formats of
//!   `aws configure export-credentials --format`;
//! - [`credential_process`]: the JSON the AWS CLI reads from a `credential_process` command.
//!
//! Secret values are read ([`crate::Secret::expose`]) only where the text is put together, and
//! every buffer holding them is a `Zeroizing` one, wiped when dropped.

pub mod credential_process;
pub mod credentials_file;
pub mod error;
pub mod exports;
pub(crate) mod text;

pub use credentials_file::{
    check_write, default_credentials_path, refresh_profile, remove_expired, remove_profile, remove_profile_of,
    rolebar_sections, write_profile, Durability, Placement, RolebarSection, WriteOptions, WriteReport,
};
pub use error::OutputError;
pub use exports::{export_lines, ExportFormat};
