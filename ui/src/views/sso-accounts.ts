// The IAM Identity Center accounts browser: the accounts and roles one sign-in can reach, each
// with the profile that uses it or a box to add one to ~/.aws/config.
import { call, toCommandError } from "../api";
import type { CommandError, SsoAccountView } from "../bindings";
import { byId, cell, h } from "../dom";
import { t } from "../i18n";
import type { Page } from "./feedback";

export interface SsoAccounts {
  /** Opens the browser on the sign-in `name` and lists what it reaches. */
  browse(name: string): Promise<void>;
}

export function mountSsoAccounts(page: Page): SsoAccounts {
  /** The sign-in shown: an answer for one closed or replaced since is dropped. */
  let browsing: string | null = null;

  function setAccountsError(error: CommandError | null): void {
    const el = byId("sso-accounts-error");
    el.hidden = error === null;
    el.textContent = error ? error.message : "";
  }

  async function browse(name: string): Promise<void> {
    browsing = name;
    byId("sso-accounts-name").textContent = name;
    byId("sso-accounts").hidden = false;
    byId("sso-accounts-body").replaceChildren();
    setAccountsError(null);
    page.setBusy(`accounts:${name}`, true, t("main-busy-accounts", { name }));
    try {
      const accounts = await call("sso_accounts", { name });
      if (browsing === name) renderAccounts(name, accounts);
    } catch (e) {
      if (browsing === name) setAccountsError(toCommandError(e));
    } finally {
      page.setBusy(`accounts:${name}`, false);
    }
  }

  function renderAccounts(name: string, accounts: SsoAccountView[]): void {
    byId("sso-accounts-body").replaceChildren(
      ...accounts.flatMap((a) =>
        a.roles.map((r) => {
          const input = h("input", {
            "data-testid": "sso-new-profile",
            "data-account": a.accountId,
            "data-role": r.roleName,
            spellcheck: "false",
            autocomplete: "off",
          }) as HTMLInputElement;
          input.value = r.suggestedProfile;
          return h(
            "tr",
            { "data-testid": "sso-role-row", "data-account": a.accountId, "data-role": r.roleName },
            cell(h("strong", {}, a.name), h("div", { class: "sub" }, `${a.accountId} · ${a.email}`)),
            cell(r.roleName),
            cell(r.profile ? h("span", { "data-testid": "sso-existing-profile" }, r.profile) : input),
            cell(
              r.profile
                ? "—"
                : h("button", {
                    type: "button",
                    "data-testid": "sso-add-profile",
                    "data-account": a.accountId,
                    "data-role": r.roleName,
                    onclick: () => void addSsoProfile(name, a, r.roleName, input.value),
                  }, t("main-sso-add-profile")),
            ),
          );
        }),
      ),
    );
  }

  async function addSsoProfile(name: string, account: SsoAccountView, roleName: string, profile: string): Promise<void> {
    setAccountsError(null);
    try {
      await call("add_sso_profile", { name, accountId: account.accountId, roleName, profile, region: null });
      page.notice(t("main-notice-profile-added", { profile }));
      await page.refresh();
      await browse(name);
    } catch (e) {
      setAccountsError(toCommandError(e));
    }
  }

  byId("sso-accounts-close").addEventListener("click", () => {
    browsing = null;
    byId("sso-accounts").hidden = true;
  });

  return { browse };
}
