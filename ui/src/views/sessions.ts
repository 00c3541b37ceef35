// The live sessions table: each with its per-second countdown (computed here from `expiresAt`,
// no IPC per tick) and its actions (copy exports in the chosen shell format, console, write to
// the credentials file, renew, log out).
import { call } from "../api";
import type { ExportChoice, Overview, SessionView } from "../bindings";
import { byId, cell, h } from "../dom";
import { formatTimeLeft, secondsLeft, sessionKindLabel } from "../format";
import { language, t } from "../i18n";
import type { Page } from "./feedback";
import { consoleButton, logOut } from "./profile-actions";

export interface Sessions {
  /** The app's default export format, until the user picks one in this window. */
  useDefaultFormat(overview: Overview): void;
  render(sessions: SessionView[]): void;
  /** Redraws the countdowns' text for `now` (ms). */
  tick(now: number): void;
}

export interface SessionsNeeds {
  /** Opens the write form for a session (write-form.ts). */
  openWrite(session: SessionView): void;
  /** Seconds before its end from which a session shows as expiring (expiry-warnings.ts). */
  expiringWithin(): number;
}

export function mountSessions(page: Page, needs: SessionsNeeds): Sessions {
  const exportFormat = byId<HTMLSelectElement>("export-format");
  let formatChosen = false;
  exportFormat.addEventListener("change", () => (formatChosen = true));

  async function copyExports(session: SessionView): Promise<void> {
    const format = exportFormat.value as ExportChoice;
    const report = await page.act(`copy:${session.id}`, t("main-busy-copy"), () =>
      call("copy_exports", { sessionId: session.id, format }),
    );
    if (report) page.notice(t("main-notice-copied", { count: report.variables, format: report.format, profile: report.profile }));
  }

  async function renew(profile: string): Promise<void> {
    const session = await page.act(`renew:${profile}`, t("main-busy-renew", { profile }), () =>
      call("renew_session", { profile }),
    );
    if (session) page.notice(t("main-notice-renewed", { profile: session.profile }));
  }

  function tick(now: number): void {
    for (const el of document.querySelectorAll<HTMLElement>("[data-expires-at]")) {
      const left = secondsLeft(el.dataset.expiresAt ?? "", now);
      el.textContent = formatTimeLeft(left);
      el.classList.toggle("expiring", left > 0 && left <= needs.expiringWithin());
    }
  }

  function render(sessions: SessionView[]): void {
    const body = byId("sessions-body");
    body.replaceChildren(
      ...sessions.map((s) =>
        h(
          "tr",
          { "data-testid": "session-row", "data-profile": s.profile, "data-session-id": s.id },
          cell(h("strong", {}, s.profile), s.roleArn ? h("div", { class: "sub" }, s.roleArn) : null),
          h("td", { class: "nowrap" }, sessionKindLabel(s.kind)),
          cell(
            h("span", {
              class: "time-left",
              "data-testid": "session-time-left",
              "data-expires-at": s.expiresAt,
              title: t("main-until", { date: new Date(s.expiresAt).toLocaleString(language()) }),
            }),
          ),
          cell(s.writtenTo.length ? s.writtenTo.join(", ") : "—"),
          cell(
            h("div", { class: "row-actions" },
              h("button", { type: "button", "data-testid": "copy-exports", "data-profile": s.profile, onclick: () => void copyExports(s) }, t("main-copy-exports")),
              consoleButton(page, s.profile),
              h("button", { type: "button", "data-testid": "open-write", "data-profile": s.profile, onclick: () => needs.openWrite(s) }, t("main-open-write")),
              h("button", { type: "button", "data-testid": "renew", "data-profile": s.profile, onclick: () => void renew(s.profile) }, t("main-renew")),
              h("button", { type: "button", "data-testid": "log-out", "data-profile": s.profile, onclick: () => void logOut(page, s.profile) }, t("main-log-out")),
            ),
          ),
        ),
      ),
    );
    byId("no-sessions").hidden = sessions.length > 0;
    tick(Date.now());
  }

  return {
    useDefaultFormat(o: Overview): void {
      if (!formatChosen) exportFormat.value = o.defaultExportFormat;
    },
    render,
    tick,
  };
}
