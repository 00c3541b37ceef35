// Pure helpers shared by the two windows (unit-tested with Vitest). Words come from the
// catalogue (i18n.ts).
import type { ExpiryView, Intent, Overview, ProfileKind, SessionKindView, SignInView, WrittenView } from "./bindings";
import { listAnd, t } from "./i18n";

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

/** `37m 05s`, `7h 59m`, `45s`, `expired` (`37 分 05 秒`, `7 時間 59 分`, `45 秒`, `期限切れ`). */
export function formatTimeLeft(seconds: number): string {
  if (seconds <= 0) return t("time-expired");
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return t("time-countdown-hm", { hours: h, minutes2: String(m).padStart(2, "0") });
  if (m > 0) return t("time-countdown-ms", { minutes: m, seconds2: String(s).padStart(2, "0") });
  return t("time-countdown-s", { seconds: s });
}

/** Sessions this close to the end are shown as expiring until the overview says otherwise
 *  (`expiry.expiringWithinSeconds`: the longest warning threshold, as the tray uses). */
export const EXPIRING_SOON_SECONDS = 10 * 60;

/** `Expiry warnings 10m and 2m before the end · auto-refresh: oppara-dev · settings: <path>`. */
export function describeExpiry(expiry: ExpiryView): string {
  const before = expiry.warnBefore;
  const when =
    before.length === 0 ? t("main-expiry-end-only") : t("main-expiry-before", { times: listAnd(before) });
  const refresh = expiry.autoRefresh.length
    ? t("main-expiry-auto-refresh", { profiles: expiry.autoRefresh.join(", ") })
    : t("main-expiry-auto-refresh-off");
  const parts = [when, refresh];
  const path = expiry.settingsPathShort ?? expiry.settingsPath;
  if (path) parts.push(t("main-expiry-settings-path", { path }));
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
      return t("main-kind-keys");
    case "sessionToken":
      return t("main-kind-session-token");
    case "role":
      return t("main-kind-role");
    case "sso":
      return t("main-kind-sso");
    case "unsupported":
      return t("main-kind-unsupported");
    case "invalid":
      return t("main-kind-invalid");
    case "written":
      return t("main-kind-written");
  }
}

export function sessionKindLabel(kind: SessionKindView): string {
  switch (kind) {
    case "assumeRole":
      return t("main-kind-role-session");
    case "getSessionToken":
      return t("main-kind-mfa-session");
    case "ssoRole":
      return t("main-kind-sso-session");
  }
}

/** A sign-in's state at `nowMs`: signed in with its time left, renewed as needed (only the
 *  refresh token is left), signed out, or why its token file cannot be read. */
export function signInStatus(s: SignInView, nowMs: number): { signedIn: boolean; text: string } {
  if (s.problem) return { signedIn: false, text: s.problem.message };
  const left = s.expiresAt === null ? 0 : secondsLeft(s.expiresAt, nowMs);
  if (left > 0) return { signedIn: true, text: t("main-sso-signed-in", { left: formatTimeLeft(left) }) };
  if (s.canRefresh) return { signedIn: true, text: t("main-sso-renewable") };
  return { signedIn: false, text: t("main-sso-signed-out") };
}

/** What a section Rolebar wrote holds: `from oppara-dev, 37m 05s left` (`expired` once past its
 *  end; the app's clean-up removes it at the next write or log out). */
export function writtenInfo(written: WrittenView, nowMs: number): string {
  const left =
    written.expiresAt === null
      ? t("main-written-no-end")
      : secondsLeft(written.expiresAt, nowMs) > 0
        ? t("main-written-left", { left: formatTimeLeft(secondsLeft(written.expiresAt, nowMs)) })
        : formatTimeLeft(0);
  if (!written.sourceProfile) return left;
  return t("main-written-info", { from: t("main-source-from", { profile: written.sourceProfile }), left });
}

/** The header's paths: `~`-relative so they fit a small screen, the full ones as its tooltip. */
export function pathsLine(overview: Overview): { text: string; title: string } {
  return {
    text: `${overview.configPathShort} · ${overview.credentialsPathShort}`,
    title: `${overview.configPath}\n${overview.credentialsPath}`,
  };
}

/** The height to give the MFA dialog for a body measured at `measured` CSS pixels: whole pixels
 *  (a fraction would leave a scroll bar), or null when the window already has it (a resize
 *  observer calls this after each layout; asking again would only loop). */
export function dialogHeight(measured: number, current: number | null): number | null {
  if (!Number.isFinite(measured) || measured <= 0) return null;
  const height = Math.ceil(measured);
  return height === current ? null : height;
}
