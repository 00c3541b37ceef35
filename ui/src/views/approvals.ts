// Approvals: per profile, whether it asks before a program gets its credentials (the window's
// choice wins over `rolebar_approve` in ~/.aws/config; "As ~/.aws/config says" goes back to it),
// and the programs remembered with "Always for this program", each with Revoke.
import { call } from "../api";
import type { ApprovalsView, CommandError, ProfileApprovalsView, RememberedProgramView } from "../bindings";
import { byId, cell, h } from "../dom";
import { t } from "../i18n";
import type { Page } from "./feedback";

export interface Approvals {
  /** Reads the list again (after a change elsewhere, or a language change). */
  refresh(): void;
}

/** The select's value for "no choice of the window's". */
const DEFAULT = "default";

function policyWord(policy: string): string {
  switch (policy) {
    case "new-programs":
      return t("main-approvals-new-programs");
    case "every-time":
      return t("main-approvals-every-time");
    default:
      return t("main-approvals-never");
  }
}

function programText(program: RememberedProgramView): string {
  return program.script === null ? program.exe : `${program.exe} ${program.script}`;
}

export function mountApprovals(page: Page): Approvals {
  const body = byId("approvals-body");
  const problem = byId("approvals-problem");

  function show(view: ApprovalsView): void {
    problem.hidden = view.problem === null;
    problem.textContent = view.problem ?? "";
    body.replaceChildren(...view.profiles.map(row));
  }

  function fail(error: unknown): void {
    page.showError(error as CommandError);
  }

  function setPolicy(profile: string, value: string): void {
    const policy = value === DEFAULT ? null : value;
    void call("set_approval_policy", { profile, policy })
      .then((view) => {
        show(view);
        const now = view.profiles.find((p) => p.profile === profile);
        page.notice(t("main-notice-approval-set", { profile, policy: policyWord(now?.policy ?? "never") }));
      })
      .catch((error) => {
        fail(error);
        refresh();
      });
  }

  function revoke(profile: string, program: RememberedProgramView): void {
    void call("revoke_program", { profile, program: { exe: program.exe, script: program.script } })
      .then((view) => {
        show(view);
        page.notice(t("main-notice-approval-revoked", { profile, program: programText(program) }));
      })
      .catch(fail);
  }

  function row(p: ProfileApprovalsView): HTMLTableRowElement {
    const configured = p.configured ?? "never";
    const select = h(
      "select",
      {
        "data-testid": `approve-${p.profile}`,
        "aria-label": `${t("main-approvals-policy")}: ${p.profile}`,
        title: p.configuredAt ?? "",
        onchange: (event: Event) => setPolicy(p.profile, (event.target as HTMLSelectElement).value),
      },
      h("option", { value: DEFAULT }, t("main-approvals-default", { policy: policyWord(configured) })),
      h("option", { value: "never" }, t("main-approvals-never")),
      h("option", { value: "new-programs" }, t("main-approvals-new-programs")),
      h("option", { value: "every-time" }, t("main-approvals-every-time")),
    );
    select.value = p.chosen ?? DEFAULT;
    const programs =
      p.programs.length === 0
        ? t("main-approvals-none")
        : h(
            "ul",
            { class: "plain" },
            ...p.programs.map((program) =>
              h(
                "li",
                { "data-testid": `approved-${p.profile}` },
                h("code", {}, programText(program)),
                " ",
                h(
                  "button",
                  {
                    type: "button",
                    "data-testid": `revoke-${p.profile}`,
                    onclick: () => revoke(p.profile, program),
                  },
                  t("main-approvals-revoke"),
                ),
              ),
            ),
          );
    return h(
      "tr",
      { "data-testid": `approvals-row-${p.profile}` },
      cell(p.profile),
      cell(select, p.problem === null ? null : h("p", { class: "error" }, p.problem)),
      cell(programs),
    );
  }

  function refresh(): void {
    void call("get_approvals", {}).then(show).catch(fail);
  }

  refresh();
  return { refresh };
}
