// The Activity view: the credential hand-outs Rolebar noted (the activity log), newest first,
// filtered by profile and by part of the program's text. Read from the tray when the section is
// opened, when a filter changes, and on `changed` while it is open (a closed section reads
// nothing).
import { call, toCommandError } from "../api";
import { activityArgs, activityTime, outcomeLabel, wayLabel } from "../activity-format";
import type { ActivityView } from "../bindings";
import { byId, cell, h } from "../dom";
import { t } from "../i18n";
import type { Page } from "./feedback";

export function mountActivity(page: Page): { refresh(): Promise<void>; redraw(): void } {
  const section = byId<HTMLDetailsElement>("activity");
  const profileFilter = byId<HTMLSelectElement>("activity-profile");
  const programFilter = byId<HTMLInputElement>("activity-program");
  let last: ActivityView | null = null;
  /** Answers that arrive out of order: only the newest request's is drawn. */
  let asked = 0;

  async function refresh(): Promise<void> {
    if (!section.open) return;
    const mine = ++asked;
    try {
      const view = await call("get_activity", activityArgs(profileFilter.value, programFilter.value));
      if (mine !== asked) return;
      last = view;
      redraw();
    } catch (e) {
      page.showError(toCommandError(e));
    }
  }

  function redraw(): void {
    if (!last) return;
    const view = last;
    const chosen = profileFilter.value;
    const profiles = view.profiles.includes(chosen) || chosen === "" ? view.profiles : [...view.profiles, chosen];
    profileFilter.replaceChildren(
      h("option", { value: "" }, t("main-activity-all-profiles")),
      ...profiles.map((p) => h("option", { value: p }, p)),
    );
    profileFilter.value = chosen;
    byId("activity-body").replaceChildren(
      ...view.entries.map((e) =>
        h(
          "tr",
          { "data-testid": "activity-row", "data-profile": e.profile, "data-way": e.way, "data-outcome": e.outcome },
          cell(h("time", { datetime: e.time }, activityTime(e.time))),
          cell(h("span", { "data-testid": "activity-profile-cell" }, e.profile)),
          cell(h("code", { "data-testid": "activity-program-cell", class: "program" }, e.program ?? t("activity-program-unknown"))),
          cell(wayLabel(e.way)),
          cell(h("span", { class: e.outcome === "failed" || e.outcome === "denied" ? "error" : "" }, outcomeLabel(e))),
        ),
      ),
    );
    const filtered = profileFilter.value !== "" || programFilter.value.trim() !== "";
    const empty = byId("activity-empty");
    empty.hidden = view.entries.length > 0;
    empty.textContent = filtered ? t("main-activity-none-match") : t("main-activity-empty");
    const more = byId("activity-more");
    const notes: string[] = [];
    if (view.matched > view.entries.length) {
      notes.push(t("main-activity-shown", { shown: view.entries.length, matched: view.matched }));
    }
    if (view.skipped > 0) notes.push(t("main-activity-skipped", { count: view.skipped }));
    more.textContent = notes.join(" ");
    more.hidden = notes.length === 0;
  }

  section.addEventListener("toggle", () => void refresh());
  profileFilter.addEventListener("change", () => void refresh());
  programFilter.addEventListener("input", () => void refresh());
  return { refresh, redraw };
}
