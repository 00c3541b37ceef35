// The main window's profile list in the tray's order — live sessions, recent, favourites, the
// rest — and its filter box. Pure, so vitest checks them without a window.

import type { ProfileView } from "./bindings";

/** `profiles` with those that have a live session first, then the recent ones (newest first),
 *  then the favourites (in the order pinned), then the rest in file order. */
export function orderProfiles<T extends { name: string }>(
  profiles: readonly T[],
  live: readonly string[],
  recent: readonly string[],
  favourites: readonly string[],
): T[] {
  const rank = (name: string): [number, number] => {
    if (live.includes(name)) return [0, live.indexOf(name)];
    if (recent.includes(name)) return [1, recent.indexOf(name)];
    if (favourites.includes(name)) return [2, favourites.indexOf(name)];
    return [3, 0];
  };
  // Array.prototype.sort is stable: equal ranks keep the file's order.
  return [...profiles].sort((a, b) => {
    const [ra, ia] = rank(a.name);
    const [rb, ib] = rank(b.name);
    return ra - rb || ia - ib;
  });
}

/** Whether `profile` matches the filter text: every word (case-insensitive) found in its name,
 *  the account id or role name of its role ARN, or its region. Empty text matches all. */
export function matchesFilter(profile: ProfileView, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return true;
  const arn = profile.roleArn ?? "";
  const account = arn.split(":")[4] ?? "";
  const role = arn.includes(":role/") ? arn.slice(arn.indexOf(":role/") + ":role/".length) : "";
  const fields = [profile.name, account, role, profile.region ?? ""].map((f) => f.toLowerCase());
  return words.every((w) => fields.some((f) => f.includes(w)));
}
