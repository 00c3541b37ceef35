// For Vitest: the real catalogues, read the way the app sends them (one-line messages with
// `{$name}` placeholders), so the UI's tests check the words users see, not a copy of them.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setMessages } from "./i18n";

/** The one-line messages of `crates/tray/locales/<language>.ftl`. Multi-line messages (selectors)
 *  are Rust's alone and are skipped. */
export function readCatalogue(language: "en" | "ja"): Record<string, string> {
  const path = resolve(__dirname, "../../crates/tray/locales", `${language}.ftl`);
  const messages: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([a-z][a-z0-9-]*) = (.+)$/.exec(line);
    if (match?.[1] && match[2] && !match[2].trimEnd().endsWith("->")) {
      messages[match[1]] = match[2].replace(/\{ \$([A-Za-z0-9_-]+) \}/g, "{$$$1}");
    }
  }
  return messages;
}

export function useCatalogue(language: "en" | "ja"): void {
  setMessages({ language, setting: language, system: "en", messages: readCatalogue(language) });
}
