import { describe, expect, it } from "vitest";
import { keepSelection, step } from "./switcher-keys";

const key = (k: string, shiftKey = false) => ({ key: k, shiftKey });

describe("the switcher's keys", () => {
  it("move the selection with wrap-around", () => {
    expect(step(key("ArrowDown"), 0, 3)).toEqual({ kind: "select", index: 1 });
    expect(step(key("ArrowDown"), 2, 3)).toEqual({ kind: "select", index: 0 });
    expect(step(key("ArrowUp"), 0, 3)).toEqual({ kind: "select", index: 2 });
    expect(step(key("PageDown"), 0, 3)).toEqual({ kind: "select", index: 2 });
    expect(step(key("PageUp"), 2, 30)).toEqual({ kind: "select", index: 0 });
  });

  it("choose with Enter, copy with Shift+Enter, close with Esc", () => {
    expect(step(key("Enter"), 1, 3)).toEqual({ kind: "choose", index: 1, choice: "assume" });
    expect(step(key("Enter", true), 1, 3)).toEqual({ kind: "choose", index: 1, choice: "copyExports" });
    expect(step(key("Escape"), 0, 0)).toEqual({ kind: "close" });
  });

  it("do nothing on an empty list, and leave other keys to the field", () => {
    expect(step(key("Enter"), 0, 0)).toEqual({ kind: "type" });
    expect(step(key("ArrowDown"), 0, 0)).toEqual({ kind: "type" });
    expect(step(key("a"), 0, 3)).toEqual({ kind: "type" });
    expect(step({ key: "Enter", shiftKey: false, ctrlKey: true }, 0, 3)).toEqual({ kind: "type" });
  });

  it("keep the highlighted profile when the list changes", () => {
    expect(keepSelection("b", ["a", "b"])).toBe(1);
    expect(keepSelection("gone", ["a", "b"])).toBe(0);
    expect(keepSelection(null, ["a"])).toBe(0);
  });
});
