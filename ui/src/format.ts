// Pure helpers shared by the two windows (unit-tested with Vitest).
import type { ExpiryView, Intent, ProfileKind } from "./bindings";

/** The 6 digits of an MFA code, with spaces (as pasted from authenticator apps) removed; null
 *  when it is not 6 digits. Rust checks again with MfaCode::parse. */
export function normalizeMfaCode(input: string): string | null {
  const digits = input.replace(/\s+/g, "");
  return /^[0-9]{6}$/.test(digits) ? digits : null;
}

export function secondsLeft(expiresAt: string, nowMs: number): number {
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return 0;
  return Math.max(0, Math.floor((end - nowMs) / 1000));
}

/** `37m 05s`, `7h 59m`, `45s`, `expired`. */
export function formatTimeLeft(seconds: number): string {
  if (seconds <= 0) return "expired";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Sessions this close to the end are shown as expiring until the overview says otherwise
 *  (`expiry.expiringWithinSeconds`: the longest warning threshold, as the tray uses). */
export const EXPIRING_SOON_SECONDS = 10 * 60;

/** `Expiry warnings 10m and 2m before the end · auto-refresh: oppara-dev · settings: <path>`. */
export function describeExpiry(expiry: ExpiryView): string {
  const before = expiry.warnBefore;
  const when =
    before.length === 0
      ? "Expiry warnings at the end only"
      : `Expiry warnings ${before.length === 1 ? before[0] : `${before.slice(0, -1).join(", ")} and ${before[before.length - 1]}`} before the end`;
  const refresh = expiry.autoRefresh.length ? `auto-refresh: ${expiry.autoRefresh.join(", ")}` : "auto-refresh: off";
  const parts = [when, refresh];
  if (expiry.settingsPath) parts.push(`settings: ${expiry.settingsPath}`);
  return parts.join(" · ");
}

/** "30m, 10m; 2m" → ["30m", "10m", "2m"]: the warning times typed in one field, split on commas
 *  (or semicolons) only, so "1h 30m" stays one value for the app to refuse with a reason rather
 *  than becoming two warnings. */
export function splitDurations(text: string): string[] {
  return text
    .split(/[,;]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** The credentials-file profile offered for a session: the outputs module refuses to write over
 *  a configured profile and suggests `<name>-creds`, so that is the default. */
export function suggestTarget(profile: string): string {
  return `${profile}-creds`;
}

/** `#write=<session id>`: what the tray asks of a main window it opens. */
export function parseIntent(hash: string): Intent | null {
  const match = /^#write=(.+)$/.exec(hash);
  if (!match?.[1]) return null;
  try {
    return { kind: "write", sessionId: decodeURIComponent(match[1]) };
  } catch {
    return null;
  }
}

export function kindLabel(kind: ProfileKind): string {
  switch (kind) {
    case "keys":
      return "keys";
    case "sessionToken":
      return "keys + MFA";
    case "role":
      return "role";
    case "unsupported":
      return "not supported";
    case "invalid":
      return "config error";
  }
}
