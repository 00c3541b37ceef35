// Typed access to the app's commands and events. Every call goes through `call`, whose
// argument and result types come from the generated bindings, so a Rust change that breaks
// the contract breaks `tsc`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CommandError, CommandName, Commands } from "./bindings";

export async function call<K extends CommandName>(
  command: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["result"]> {
  try {
    return await invoke<Commands[K]["result"]>(command, args);
  } catch (error) {
    throw toCommandError(error);
  }
}

/** Commands reject with `{ code, message }`; anything else (IPC refused, a bug) is wrapped so
 *  the UI always has a code to branch on. */
export function toCommandError(error: unknown): CommandError {
  if (isCommandError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: "ipc_failed", message };
}

export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Says the page has drawn: the window process made its window hidden and shows it now (a
 *  window shown before its page runs makes WebKit wait up to 500 ms). Never fails the page. */
export async function windowReady(): Promise<void> {
  await call("window_ready", {}).catch(() => undefined);
}

export function on<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(event, (e) => handler(e.payload));
}
