// The Activity view's words and filters (unit-tested with Vitest): the log's way and outcome
// codes as the user reads them, times in local time, and the filters as `get_activity`'s
// arguments.
import type { ActivityEntryView, Commands } from "./bindings";
import { t } from "./i18n";

/** `credential_process`, `exec`, …: the log's words for how credentials left, shown. */
export function wayLabel(way: string): string {
  switch (way) {
    case "credential_process":
      return t("activity-way-credential-process");
    case "exec":
      return t("activity-way-exec");
    case "export":
      return t("activity-way-export");
    case "write":
      return t("activity-way-write");
    case "console":
      return t("activity-way-console");
    case "endpoint":
      return t("activity-way-endpoint");
    case "agent":
      return t("activity-way-agent");
    default:
      // A way a newer Rolebar wrote: shown as it is.
      return way;
  }
}

/** `cached session`, `new session`, `denied`, `failed (mfa_required)`. */
export function outcomeLabel(entry: Pick<ActivityEntryView, "outcome" | "errorCode">): string {
  switch (entry.outcome) {
    case "cached":
      return t("activity-outcome-cached");
    case "new_session":
      return t("activity-outcome-new-session");
    case "denied":
      return t("activity-outcome-denied");
    case "failed":
      return t("activity-outcome-failed", { code: entry.errorCode ?? "?" });
    default:
      return entry.outcome;
  }
}

/** `2026-12-05 12:01:28` in the local time zone (the log keeps UTC). */
export function activityTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/** How many entries the view asks for. */
export const ACTIVITY_LIMIT = 200;

/** The filters as typed, as `get_activity`'s arguments: blank means no filter. */
export function activityArgs(profile: string, program: string): Commands["get_activity"]["args"] {
  const trimmed = program.trim();
  return {
    profile: profile === "" ? null : profile,
    program: trimmed === "" ? null : trimmed,
    limit: ACTIVITY_LIMIT,
  };
}
