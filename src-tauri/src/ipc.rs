//! Tauri's side of the typed IPC arguments (`args`): the extractor that reads a command's one
//! arguments struct (`Args<…Args>`) from the whole `invoke` body.

use crate::args::Command;
use crate::error::{codes, CommandError};
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::Runtime;

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
