// IAM Identity Center: the sign-ins the profiles use (shown only when there are some), each with
// its state, Sign in / Sign out, and Browse accounts (sso-accounts.ts).
import { call, toCommandError } from "../api";
import type { SignInView } from "../bindings";
import { byId, cell, h } from "../dom";
import { signInStatus } from "../format";
import { t } from "../i18n";
import type { Page } from "./feedback";

/** `browse` opens the accounts browser on a sign-in (sso-accounts.ts). */
export function mountSignIns(
  page: Page,
  browse: (name: string) => Promise<void>,
): { render(signIns: SignInView[]): void } {
  async function ssoSignIn(name: string): Promise<void> {
    page.clearError();
    page.setBusy(`sign-in:${name}`, true, t("main-busy-sign-in", { name }));
    try {
      await call("sso_sign_in", { name });
      page.notice(t("main-notice-signed-in", { name }));
    } catch (e) {
      page.showError(toCommandError(e));
    } finally {
      page.setBusy(`sign-in:${name}`, false);
    }
    await page.refresh();
  }

  async function ssoSignOut(name: string): Promise<void> {
    page.clearError();
    try {
      const dropped = await call("sso_sign_out", { name });
      page.notice(t("main-notice-signed-out", { name, count: dropped }));
    } catch (e) {
      page.showError(toCommandError(e));
    }
    await page.refresh();
  }

  function render(signIns: SignInView[]): void {
    byId("sso-section").hidden = signIns.length === 0;
    const now = Date.now();
    byId("sign-ins-body").replaceChildren(
      ...signIns.map((s) => {
        const signedIn = signInStatus(s, now).signedIn;
        return h(
          "tr",
          { "data-testid": "sign-in-row", "data-sign-in": s.name },
          cell(h("strong", {}, s.name), h("div", { class: "sub" }, s.profiles.join(", "))),
          cell(h("code", {}, s.startUrl)),
          cell(h("span", { "data-testid": "sign-in-status" }, signInStatus(s, now).text)),
          cell(
            h("div", { class: "row-actions" },
              signedIn
                ? h("button", { type: "button", "data-testid": "sso-sign-out", "data-sign-in": s.name, onclick: () => void ssoSignOut(s.name) }, t("main-sso-sign-out"))
                : h("button", { type: "button", class: "primary", "data-testid": "sso-sign-in", "data-sign-in": s.name, onclick: () => void ssoSignIn(s.name) }, t("main-sso-sign-in")),
              h("button", { type: "button", "data-testid": "sso-browse", "data-sign-in": s.name, onclick: () => void browse(s.name) }, t("main-sso-browse")),
            ),
          ),
        );
      }),
    );
  }

  return { render };
}
