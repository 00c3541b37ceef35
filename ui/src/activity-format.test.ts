import { beforeEach, describe, expect, it } from "vitest";
import { useCatalogue } from "./catalogue.testkit";
import { activityArgs, activityTime, outcomeLabel, wayLabel } from "./activity-format";

beforeEach(() => useCatalogue("en"));

describe("activity filters", () => {
  it("send blanks as no filter and trim the program", () => {
    expect(activityArgs("", "  ")).toEqual({ profile: null, program: null, limit: 200 });
    expect(activityArgs("corp-prod", " python ")).toEqual({ profile: "corp-prod", program: "python", limit: 200 });
  });
});

describe("activity words", () => {
  it("name every way and outcome of the log, and pass unknown ones through", () => {
    expect(wayLabel("credential_process")).toBe("credential_process");
    expect(wayLabel("endpoint")).toBe("container endpoint");
    expect(wayLabel("teleport")).toBe("teleport");
    expect(outcomeLabel({ outcome: "cached", errorCode: null })).toBe("cached session");
    expect(outcomeLabel({ outcome: "new_session", errorCode: null })).toBe("new session");
    expect(outcomeLabel({ outcome: "failed", errorCode: "mfa_required" })).toBe("failed (mfa_required)");
  });
  it("speak Japanese too", () => {
    useCatalogue("ja");
    expect(wayLabel("console")).toBe("AWS コンソール");
    expect(outcomeLabel({ outcome: "denied", errorCode: "agent_denied" })).toBe("拒否");
  });
  it("show times in local time, to the second", () => {
    const shown = activityTime("2026-12-05T03:01:28Z");
    const at = new Date("2026-12-05T03:01:28Z");
    expect(shown).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(shown.endsWith(`:${String(at.getMinutes()).padStart(2, "0")}:28`)).toBe(true);
    expect(activityTime("garbage")).toBe("garbage");
  });
});
