// Key rotation from the keys table: a new access key created and stored in the keyring, then the
// old one deleted in AWS (all in Rust); asked with `window.confirm` first, as it changes IAM.
import { call } from "../api";
import { t } from "../i18n";
import type { Page } from "./feedback";

export async function rotateKeys(page: Page, profile: string): Promise<void> {
  if (!window.confirm(t("main-confirm-rotate", { profile }))) return;
  const report = await page.act(`rotate:${profile}`, t("main-busy-rotate", { profile }), () =>
    call("rotate_keys", { profile }),
  );
  if (report) {
    page.notice([t("main-notice-rotated", { profile, old: report.oldKey, new: report.newKey }), ...report.notes].join(" "));
  }
}
