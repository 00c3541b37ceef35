import { beforeEach, describe, expect, it } from "vitest";
import { useCatalogue } from "./catalogue.testkit";
import type { Overview } from "./bindings";
import {
  describeExpiry,
  dialogHeight,
  formatTimeLeft,
  kindLabel,
  pathsLine,
  writtenInfo,
  normalizeMfaCode,
  parseIntent,
  secondsLeft,
  splitDurations,
  suggestTarget,
} from "./format";
import { t } from "./i18n";

beforeEach(() => useCatalogue("en"));

describe("normalizeMfaCode", () => {
  it("accepts 6 digits with pasted spaces", () => {
    expect(normalizeMfaCode("123456")).toBe("123456");
    expect(normalizeMfaCode(" 123 456\n")).toBe("123456");
  });
  it("refuses anything else", () => {
    for (const bad of ["", "12345", "1234567", "12345a", "12-456", "１２３４５６"]) {
      expect(normalizeMfaCode(bad)).toBeNull();
    }
  });
});

describe("time left", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");
  it("counts whole seconds and never goes below zero", () => {
    expect(secondsLeft("2026-11-25T12:37:15Z", now)).toBe(37 * 60 + 15);
    expect(secondsLeft("2026-11-25T11:00:00Z", now)).toBe(0);
    expect(secondsLeft("not a date", now)).toBe(0);
  });
  it("reads naturally", () => {
    expect(formatTimeLeft(37 * 60 + 5)).toBe("37m 05s");
    expect(formatTimeLeft(8 * 3600 - 1)).toBe("7h 59m");
    expect(formatTimeLeft(45)).toBe("45s");
    expect(formatTimeLeft(0)).toBe("expired");
  });
  it("reads naturally in Japanese too", () => {
    useCatalogue("ja");
    expect(formatTimeLeft(37 * 60 + 5)).toBe("37 分 05 秒");
    expect(formatTimeLeft(8 * 3600 - 1)).toBe("7 時間 59 分");
    expect(formatTimeLeft(45)).toBe("45 秒");
    expect(formatTimeLeft(0)).toBe("期限切れ");
  });
});

describe("messages", () => {
  it("fill their placeholders and leave unknown ones visible", () => {
    expect(t("main-busy-renew", { profile: "oppara-dev" })).toBe("Renewing oppara-dev…");
    expect(t("main-busy-renew")).toBe("Renewing {$profile}…");
    useCatalogue("ja");
    expect(t("mfa-rejected", { attempt: 2 })).toBe(
      "AWS がこのコードを拒否しました。次のコードが出るまで待って入力してください (試行 2 回目)。",
    );
  });
  it("show an unknown key as itself", () => {
    const key = "no-such-key";
    expect(t(key)).toBe(key);
  });
});

describe("intents and targets", () => {
  it("reads the tray's write intent from the URL", () => {
    expect(parseIntent("#write=session%3AAssumeRole%3Aoppara-dev")).toEqual({
      kind: "write",
      sessionId: "session:AssumeRole:oppara-dev",
    });
    expect(parseIntent("")).toBeNull();
    expect(parseIntent("#write=%E0%A4%A")).toBeNull();
  });
  it("suggests the name the guard rail suggests", () => {
    expect(suggestTarget("oppara-dev")).toBe("oppara-dev-creds");
  });
});

describe("expiry settings", () => {
  const base = {
    expiringWithinSeconds: 600,
    settingsPath: "/h/.config/rolebar/settings.json",
    settingsPathShort: "~/.config/rolebar/settings.json",
    problem: null,
  };
  it("says when warnings go out, what refreshes itself, and where to change it", () => {
    expect(describeExpiry({ ...base, warnBefore: ["10m", "2m"], autoRefresh: [] })).toBe(
      "Expiry warnings 10m and 2m before the end · auto-refresh: off · settings: ~/.config/rolebar/settings.json",
    );
    expect(describeExpiry({ ...base, warnBefore: ["30m", "10m", "2m"], autoRefresh: ["oppara-dev", "x"], settingsPath: null, settingsPathShort: null })).toBe(
      "Expiry warnings 30m, 10m and 2m before the end · auto-refresh: oppara-dev, x",
    );
    expect(describeExpiry({ ...base, warnBefore: ["5m"], autoRefresh: [], settingsPath: null, settingsPathShort: null })).toBe(
      "Expiry warnings 5m before the end · auto-refresh: off",
    );
    expect(describeExpiry({ ...base, warnBefore: [], autoRefresh: [], settingsPath: null, settingsPathShort: null })).toBe(
      "Expiry warnings at the end only · auto-refresh: off",
    );
  });
  it("in Japanese", () => {
    useCatalogue("ja");
    expect(describeExpiry({ ...base, warnBefore: ["10m", "2m"], autoRefresh: ["oppara-dev"], settingsPath: null, settingsPathShort: null })).toBe(
      "期限切れの警告: 終了の 10m と 2m 前 · 自動更新: oppara-dev",
    );
  });
});

describe("splitDurations", () => {
  it("splits the warning times on commas", () => {
    expect(splitDurations("30m, 10m,2m")).toEqual(["30m", "10m", "2m"]);
    expect(splitDurations(" 1h30m;5m ")).toEqual(["1h30m", "5m"]);
  });
  it("keeps a value with a space whole, for the app to refuse with a reason", () => {
    expect(splitDurations("1h 30m, 5m")).toEqual(["1h 30m", "5m"]);
  });
  it("gives no times for an empty field (a warning only at the end)", () => {
    expect(splitDurations("  , ")).toEqual([]);
  });
});

describe("a section Rolebar wrote", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");
  const written = { sourceProfile: "oppara-dev", expiresAt: "2026-11-25T12:37:05Z" };
  it("says it is Rolebar's, from which profile, and how long it lasts", () => {
    expect(kindLabel("written")).toBe("written by Rolebar");
    expect(writtenInfo(written, now)).toBe("from oppara-dev, 37m 05s left");
    expect(writtenInfo({ ...written, expiresAt: "2026-11-25T11:00:00Z" }, now)).toBe("from oppara-dev, expired");
    expect(writtenInfo({ sourceProfile: null, expiresAt: null }, now)).toBe("end unknown");
  });
  it("in Japanese", () => {
    useCatalogue("ja");
    expect(kindLabel("written")).toBe("Rolebar が書き込み済み");
    expect(writtenInfo(written, now)).toBe("oppara-dev から、残り 37 分 05 秒");
    expect(writtenInfo({ ...written, expiresAt: "2026-11-25T11:00:00Z" }, now)).toBe("oppara-dev から、期限切れ");
  });
});

describe("the header's paths", () => {
  it("shows them from ~ with the full paths as the tooltip", () => {
    const overview = {
      configPath: "/home/mika/.aws/config",
      credentialsPath: "/home/mika/.aws/credentials",
      configPathShort: "~/.aws/config",
      credentialsPathShort: "~/.aws/credentials",
    } as Overview;
    expect(pathsLine(overview)).toEqual({
      text: "~/.aws/config · ~/.aws/credentials",
      title: "/home/mika/.aws/config\n/home/mika/.aws/credentials",
    });
  });
});

describe("dialogHeight", () => {
  it("rounds the measured body up to whole pixels", () => {
    expect(dialogHeight(287.2, null)).toBe(288);
    expect(dialogHeight(300, 288)).toBe(300);
  });
  it("asks nothing when the window already has that height, or the measure is nonsense", () => {
    expect(dialogHeight(287.2, 288)).toBeNull();
    expect(dialogHeight(0, null)).toBeNull();
    expect(dialogHeight(Number.NaN, null)).toBeNull();
  });
});
