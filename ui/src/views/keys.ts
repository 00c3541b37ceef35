// Long-term keys: the table of the profiles that use them (masked key id, age, rotate due), and
// the form that stores a pair in the keyring. The secret is the only one that ever crosses into
// the page, inbound, and its field is cleared after every attempt.
import { call } from "../api";
import type { CommandError, Overview } from "../bindings";
import { byId, cell, h } from "../dom";
import { language, t } from "../i18n";
import type { Page } from "./feedback";
import { rotateKeys } from "./key-rotation";

export interface Keys {
  render(overview: Overview): void;
  /** Says the form's heading again in the language now shown. */
  redraw(): void;
}

export function mountKeys(page: Page): Keys {
  const keysForm = byId<HTMLFormElement>("keys-form");
  const keysProfile = byId<HTMLInputElement>("keys-profile");
  const keysId = byId<HTMLInputElement>("keys-access-key-id");
  const keysSecret = byId<HTMLInputElement>("keys-secret");

  function openKeys(profile: string): void {
    keysProfile.value = profile;
    keysProfile.readOnly = profile !== "";
    showKeysLabel();
    keysId.value = "";
    keysSecret.value = "";
    setKeysError(null);
    keysForm.hidden = false;
    (profile ? keysId : keysProfile).focus();
  }

  function showKeysLabel(): void {
    byId("keys-profile-label").textContent = keysProfile.value || t("main-keys-a-profile");
  }

  function closeKeys(): void {
    keysId.value = "";
    keysSecret.value = "";
    keysForm.hidden = true;
  }

  function setKeysError(error: CommandError | null): void {
    const el = byId("keys-error");
    el.hidden = error === null;
    el.textContent = error?.message ?? "";
  }

  async function removeKeys(profile: string): Promise<void> {
    if (!window.confirm(t("main-confirm-remove-keys", { profile }))) return;
    const removed = await page.act(`keys:${profile}`, t("main-busy-remove-keys", { profile }), () =>
      call("remove_keys", { profile }),
    );
    if (removed !== undefined) {
      page.notice(removed ? t("main-notice-keys-removed", { profile }) : t("main-notice-no-keys", { profile }));
    }
  }

  function render(o: Overview): void {
    byId("keys-body").replaceChildren(
      ...o.keyProfiles.map((name) => {
        const stored = o.keys.find((k) => k.profile === name);
        return h(
          "tr",
          { "data-testid": "key-row", "data-profile": name },
          cell(h("strong", {}, name)),
          cell(stored ? h("code", { "data-testid": "key-masked" }, stored.maskedKeyId) : t("main-key-not-in-keyring")),
          cell(
            stored ? new Date(stored.addedAt).toLocaleString(language()) : "—",
            stored?.age ? h("div", { class: "sub", "data-testid": "key-age" }, stored.age) : null,
            stored?.rotateDue ? h("span", { class: "badge warn", "data-testid": "key-rotate-due" }, t("main-key-age-due")) : null,
          ),
          cell(
            h("div", { class: "row-actions" },
              stored
                ? h("button", { type: "button", "data-testid": "key-rotate", "data-profile": name, onclick: () => void rotateKeys(page, name) }, t("main-key-rotate"))
                : null,
              h("button", { type: "button", "data-testid": "key-edit", "data-profile": name, onclick: () => openKeys(name) }, stored ? t("main-key-replace") : t("main-key-add")),
              stored
                ? h("button", { type: "button", class: "danger", "data-testid": "key-remove", "data-profile": name, onclick: () => void removeKeys(name) }, t("main-key-remove"))
                : null,
            ),
          ),
        );
      }),
    );
  }

  keysForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const profile = keysProfile.value.trim();
    void (async () => {
      try {
        const key = await call("add_keys", { profile, accessKeyId: keysId.value.trim(), secretAccessKey: keysSecret.value });
        // The secret leaves the page as soon as it is stored.
        closeKeys();
        page.notice(t("main-notice-keys-stored", { key: key.maskedKeyId, profile: key.profile }));
      } catch (error) {
        keysSecret.value = "";
        setKeysError(error as CommandError);
      }
      await page.refresh();
    })();
  });
  byId("keys-cancel").addEventListener("click", closeKeys);
  byId("keys-add-other").addEventListener("click", () => openKeys(""));

  return { render, redraw: showKeysLabel };
}
