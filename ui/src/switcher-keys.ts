// The quick switcher's keyboard, as a pure function of the key and the list: vitest checks it
// without a window. ↑/↓ move (wrapping), Enter assumes, Shift+Enter also copies the exports,
// Esc closes; everything else is typing.

export type SwitcherKey = { key: string; shiftKey: boolean; ctrlKey?: boolean; altKey?: boolean; metaKey?: boolean };

export type SwitcherStep =
  | { kind: "select"; index: number }
  | { kind: "choose"; index: number; choice: "assume" | "copyExports" }
  | { kind: "close" }
  | { kind: "type" };

/** What `key` does with `count` matches shown and `selected` highlighted. */
export function step(key: SwitcherKey, selected: number, count: number): SwitcherStep {
  const modified = key.ctrlKey === true || key.altKey === true || key.metaKey === true;
  switch (key.key) {
    case "Escape":
      return { kind: "close" };
    case "ArrowDown":
      return count === 0 ? { kind: "type" } : { kind: "select", index: (selected + 1) % count };
    case "ArrowUp":
      return count === 0 ? { kind: "type" } : { kind: "select", index: (selected - 1 + count) % count };
    case "PageDown":
      return count === 0 ? { kind: "type" } : { kind: "select", index: Math.min(selected + 8, count - 1) };
    case "PageUp":
      return count === 0 ? { kind: "type" } : { kind: "select", index: Math.max(selected - 8, 0) };
    case "Enter":
      if (count === 0 || modified) return { kind: "type" };
      return { kind: "choose", index: clamp(selected, count), choice: key.shiftKey ? "copyExports" : "assume" };
    default:
      return { kind: "type" };
  }
}

/** The highlighted row after the list changed: the same name if it is still there, else the first. */
export function keepSelection(previous: string | null, names: readonly string[]): number {
  if (previous === null) return 0;
  const at = names.indexOf(previous);
  return at < 0 ? 0 : at;
}

function clamp(index: number, count: number): number {
  return Math.max(0, Math.min(index, count - 1));
}
