// The words of both windows come from the app's Fluent catalogue (crates/tray/locales/*.ftl),
// resolved in Rust for the language in force and sent by `get_messages` (and again on the
// language event). No user-visible string is written in TypeScript: pages name keys in
// data-i18n attributes, code calls t() with the key written whole (crates/tray/src/i18n/coverage.rs
// scans for both). Templates hold `{$name}` where a value goes.
import { call, on } from "./api";
import type { MessagesView } from "./bindings";
import { EVENTS } from "./bindings";

let current: MessagesView = { language: "en", setting: "auto", system: "en", messages: {} };

export function setMessages(view: MessagesView): void {
  current = view;
  if (typeof document !== "undefined") document.documentElement.lang = view.language;
}

/** `en` or `ja`: the language shown, also for dates (`toLocaleString`). */
export function language(): string {
  return current.language;
}

/** What the user chose: `auto`, `en` or `ja`. */
export function languageSetting(): string {
  return current.setting;
}

/** The message `key` with `{$name}` replaced by `args.name`; the key itself when unknown (a
 *  missing message shows up, rather than a blank). */
export function t(key: string, args: Record<string, string | number> = {}): string {
  const template = current.messages[key];
  if (template === undefined) return key;
  return template.replace(/\{\$([A-Za-z0-9_-]+)\}/g, (whole, name: string) =>
    name in args ? String(args[name]) : whole,
  );
}

/** `a`, `a and b`, `a, b and c` in the language shown. */
export function listAnd(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return t("main-list-and", { first: items.slice(0, -1).join(", "), last: items[items.length - 1] ?? "" });
}

/** Fills every element carrying data-i18n (text) or data-i18n-title / -placeholder /
 *  -aria-label (attributes) under `root`. */
export function translatePage(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n ?? "");
  }
  for (const attribute of ["title", "placeholder", "aria-label"]) {
    for (const el of root.querySelectorAll<HTMLElement>(`[data-i18n-${attribute}]`)) {
      el.setAttribute(attribute, t(el.getAttribute(`data-i18n-${attribute}`) ?? ""));
    }
  }
}

/** Loads the messages, fills the page, and redraws it (`redraw`) whenever the language changes. */
export async function startI18n(redraw: () => void): Promise<void> {
  // Every page: when the tray is gone no button can work, so the page says so (the window
  // process closes it a few seconds later).
  void on<null>(EVENTS.trayGone, () => {
    const notice = document.createElement("p");
    notice.setAttribute("role", "alert");
    notice.dataset.testid = "tray-gone";
    notice.className = "tray-gone";
    notice.textContent = t("tray-gone");
    document.body.replaceChildren(notice);
  });
  void on<MessagesView>(EVENTS.language, (view) => {
    setMessages(view);
    translatePage();
    redraw();
  });
  try {
    setMessages(await call("get_messages", {}));
  } finally {
    translatePage();
  }
}
