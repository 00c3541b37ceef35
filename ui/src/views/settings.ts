// The app's own preferences, each saved by the app as soon as it changes: start at login, the
// language, and the quick switcher's global key. (The warning times are expiry-warnings.ts.)
import { call, toCommandError } from "../api";
import type { CommandError, HotkeyView } from "../bindings";
import { byId } from "../dom";
import { languageSetting, t } from "../i18n";
import type { Page } from "./feedback";

export interface Settings {
  /** Shows the language setting in force (after start-up and after each language change). */
  showLanguage(): void;
}

export function mountSettings(page: Page): Settings {
  mountHotkey(page);
  mountAutostart(page);
  return mountLanguage(page);
}

function mountAutostart(page: Page): void {
  const autostart = byId<HTMLInputElement>("autostart");
  autostart.addEventListener("change", () => {
    void call("set_autostart", { enabled: autostart.checked })
      .then((s) => {
        autostart.checked = s.autostart;
        page.notice(s.autostart ? t("main-notice-autostart-on") : t("main-notice-autostart-off"));
      })
      .catch((error) => {
        autostart.checked = !autostart.checked;
        page.showError(error as CommandError);
      });
  });
  void call("get_settings", {})
    .then((s) => (autostart.checked = s.autostart))
    .catch(() => (autostart.disabled = true));
}

// The quick switcher's global key: off unless set; a key that cannot be grabbed is refused
// and the one in force stays.
function mountHotkey(page: Page): void {
  const hotkeyForm = byId<HTMLFormElement>("hotkey-form");
  const hotkeyInput = byId<HTMLInputElement>("hotkey");
  const hotkeyError = byId("hotkey-error");
  const hotkeyOff = byId<HTMLButtonElement>("hotkey-off");

  function showHotkey(view: HotkeyView): void {
    hotkeyInput.value = view.hotkey ?? "";
    hotkeyOff.disabled = view.hotkey === null;
    hotkeyError.hidden = view.available;
    hotkeyError.textContent = view.available ? "" : t("main-hotkey-unavailable");
    for (const control of hotkeyForm.querySelectorAll<HTMLInputElement | HTMLButtonElement>("input, button")) {
      if (!view.available) control.disabled = true;
    }
  }

  function setHotkey(hotkey: string | null): void {
    hotkeyError.hidden = true;
    void call("set_switcher_hotkey", { hotkey })
      .then((view) => {
        showHotkey(view);
        page.notice(
          view.hotkey === null ? t("main-notice-hotkey-off") : t("main-notice-hotkey-on", { hotkey: view.hotkey }),
        );
      })
      .catch((error: unknown) => {
        const e = toCommandError(error);
        hotkeyError.textContent = e.message;
        hotkeyError.hidden = false;
      });
  }

  hotkeyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = hotkeyInput.value.trim();
    setHotkey(text === "" ? null : text);
  });
  hotkeyOff.addEventListener("click", () => setHotkey(null));
  void call("get_switcher_hotkey", {})
    .then(showHotkey)
    .catch(() => showHotkey({ hotkey: null, available: false }));
}

// Language: Auto / English / 日本語, saved by the app, which then sends every window the new
// messages (the language event) and relabels the tray.
function mountLanguage(page: Page): Settings {
  const languageSelect = byId<HTMLSelectElement>("language");
  languageSelect.addEventListener("change", () => {
    const chosen = languageSelect.value;
    void call("set_language", { language: chosen }).catch((error) => {
      languageSelect.value = languageSetting();
      page.showError(error as CommandError);
    });
  });
  return {
    showLanguage(): void {
      languageSelect.value = languageSetting();
    },
  };
}
