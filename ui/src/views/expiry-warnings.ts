// The expiry warnings line (when warnings come, which profiles auto-refresh, where settings.json
// is), its inline form over `set_warn_before` (saved to settings.json, in force at once), and
// the settings file's problem when it cannot be read. It owns the warning times in force and how
// close to its end a session shows as expiring (the sessions countdown asks for that).
import { call } from "../api";
import type { CommandError, ExpiryView, Overview } from "../bindings";
import { byId } from "../dom";
import { EXPIRING_SOON_SECONDS, describeExpiry, splitDurations } from "../format";
import { listAnd, t } from "../i18n";
import type { Page } from "./feedback";

export interface ExpiryWarnings {
  render(overview: Overview): void;
  /** Shows an expiry view a command answered with (saving warnings or auto-refresh). */
  show(expiry: ExpiryView): void;
  /** Sessions this close to their end (seconds) show as expiring. */
  expiringWithin(): number;
}

/** `tick` redraws the countdowns, so a new threshold shows at once. */
export function mountExpiryWarnings(page: Page, tick: () => void): ExpiryWarnings {
  /** The longest warning threshold, as the tray uses. */
  let expiringWithin = EXPIRING_SOON_SECONDS;
  /** The warning times in force, to prefill their form. */
  let currentWarnBefore: string[] = [];

  const warnForm = byId<HTMLFormElement>("warn-form");
  const warnInput = byId<HTMLInputElement>("warn-before");

  function show(expiry: ExpiryView): void {
    expiringWithin = expiry.expiringWithinSeconds;
    byId("expiry-settings").textContent = describeExpiry(expiry);
    byId("expiry-settings").title = expiry.settingsPath ?? "";
    byId<HTMLButtonElement>("warn-edit").disabled = expiry.problem !== null;
    currentWarnBefore = expiry.warnBefore;
    const problem = byId("expiry-problem");
    problem.hidden = expiry.problem === null;
    problem.textContent = expiry.problem
      ? t("main-expiry-problem", { message: expiry.problem.message, code: expiry.problem.code })
      : "";
  }

  function setWarnError(error: CommandError | null): void {
    const el = byId("warn-error");
    el.hidden = error === null;
    el.textContent = error ? error.message : "";
  }

  byId("warn-edit").addEventListener("click", () => {
    warnInput.value = currentWarnBefore.join(", ");
    setWarnError(null);
    warnForm.hidden = false;
    warnInput.focus();
  });
  byId("warn-cancel").addEventListener("click", () => (warnForm.hidden = true));
  warnForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void call("set_warn_before", { warnBefore: splitDurations(warnInput.value) })
      .then((view) => {
        show(view);
        warnForm.hidden = true;
        tick();
        page.notice(
          view.warnBefore.length
            ? t("main-notice-warnings", { times: listAnd(view.warnBefore) })
            : t("main-notice-warning-end-only"),
        );
      })
      .catch((error) => setWarnError(error as CommandError));
  });

  return {
    render: (o) => show(o.expiry),
    show,
    expiringWithin: () => expiringWithin,
  };
}
