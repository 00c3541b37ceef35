//! Typed IPC arguments. Every command takes its arguments as one struct (`Args<…Args>`), which
//! serde reads from the whole `invoke` body and ts-rs writes into `ui/src/bindings.ts`; each
//! struct names its command and result type (`Command`), and the command returns `Reply<…>`.
//! So the TypeScript table of commands is generated from the very types the handlers use:
//! renaming a field (a parameter) or changing a result type changes the bindings, which the
//! drift test (`bindings.rs`) catches, and the UI's `call(...)` no longer type-checks.
//!
//! The wire format is Tauri's own (`invoke("assume_profile", { profile })`): the struct's fields
//! are the object's keys, in camelCase as Tauri names parameters.

use crate::error::{codes, CommandError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::Runtime;
use ts_rs::TS;

/// The arguments of one command: the struct *is* the command's signature.
pub trait Command: DeserializeOwned + TS {
    /// The name JavaScript invokes (one of `COMMANDS`, command_names.rs).
    const NAME: &'static str;
    /// What the command resolves to.
    type Output: Serialize + TS;
}

/// What the command `C` returns: its result type comes from `C`, so the generated table cannot
/// promise another.
pub type Reply<C> = Result<<C as Command>::Output, CommandError>;

/// A command's arguments, deserialized from the whole request body.
#[derive(Debug)]
pub struct Args<C>(pub C);

impl<C> std::ops::Deref for Args<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

impl<'de, C: Command, R: Runtime> CommandArg<'de, R> for Args<C> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        // A struct given to the wrong command would make the generated table lie about that
        // command's arguments; `every_declared_command_is_registered` calls each command once
        // to catch it.
        if command.name != C::NAME {
            return Err(CommandError::new(
                codes::INVALID_INPUT,
                format!(
                    "command `{}` reads the arguments of `{}`: fix its `Args<…>` type",
                    command.name,
                    C::NAME
                ),
            )
            .into());
        }
        match command.message.payload() {
            InvokeBody::Json(body) => C::deserialize(body).map(Args).map_err(|e| {
                CommandError::new(
                    codes::INVALID_INPUT,
                    format!("invalid arguments for `{}`: {e}", command.name),
                )
                .into()
            }),
            InvokeBody::Raw(_) => Err(CommandError::new(
                codes::INVALID_INPUT,
                format!("`{}` takes a JSON object, not raw bytes", command.name),
            )
            .into()),
        }
    }
}
