// Actions on a profile that both tables offer: the sessions table and the profiles list (whose
// sections written by Rolebar also log out).
import { call } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import type { Page } from "./feedback";

/** "Console": the AWS console in the browser, signed in as `profile` (assumed first if needed).
 *  The sign-in URL stays in Rust; only notes come back (e.g. a 1-hour cap). */
export function consoleButton(page: Page, profile: string): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      "data-testid": "open-console",
      "data-profile": profile,
      title: t("main-console-title", { profile }),
      onclick: () => void openConsole(page, profile),
    },
    t("main-console"),
  );
}

async function openConsole(page: Page, profile: string): Promise<void> {
  const report = await page.act(`console:${profile}`, t("main-busy-console", { profile }), () =>
    call("open_console", { profile }),
  );
  if (report) page.notice([t("main-notice-console", { profile: report.profile }), ...report.notes].join(" "));
}

export async function logOut(page: Page, profile: string): Promise<void> {
  const report = await page.act(`logout:${profile}`, t("main-busy-log-out", { profile }), () =>
    call("log_out", { profile }),
  );
  if (report) {
    page.notice(
      report.sectionsRemoved.length
        ? t("main-notice-logged-out-removed", { profile: report.profile, sections: `[${report.sectionsRemoved.join("], [")}]` })
        : t("main-notice-logged-out", { profile: report.profile }),
    );
  }
}
