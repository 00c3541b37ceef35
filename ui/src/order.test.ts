import { describe, expect, it } from "vitest";
import type { ProfileView } from "./bindings";
import { matchesFilter, orderProfiles } from "./order";

function profile(name: string, roleArn: string | null = null, region: string | null = null): ProfileView {
  return {
    name,
    kind: roleArn ? "role" : "keys",
    roleArn,
    mfaSerial: null,
    region,
    sourceProfile: null,
    keyProfile: null,
    keys: null,
    problem: null,
    written: null,
  } as ProfileView;
}

describe("orderProfiles", () => {
  it("puts live, then recent, then favourites, then the rest in file order", () => {
    const names = ["a", "b", "c", "d", "e", "f"].map((n) => ({ name: n }));
    const ordered = orderProfiles(names, ["e"], ["c", "a", "e"], ["f", "c"]).map((p) => p.name);
    expect(ordered).toEqual(["e", "c", "a", "f", "b", "d"]);
  });
  it("keeps the file order with nothing to go on", () => {
    const names = ["z", "a", "m"].map((n) => ({ name: n }));
    expect(orderProfiles(names, [], [], []).map((p) => p.name)).toEqual(["z", "a", "m"]);
  });
});

describe("matchesFilter", () => {
  const p = profile("corp-prod", "arn:aws:iam::123456789012:role/Admin", "ap-northeast-1");
  it("matches name, account id, role name and region, case-insensitively", () => {
    for (const text of ["", "  ", "corp", "PROD", "1234567", "admin", "northeast", "corp admin"]) {
      expect(matchesFilter(p, text), text).toBe(true);
    }
  });
  it("needs every word", () => {
    for (const text of ["dev", "corp dev", "999"]) {
      expect(matchesFilter(p, text), text).toBe(false);
    }
    expect(matchesFilter(profile("plain"), "iam")).toBe(false);
  });
});
