// The main window: profiles, live sessions (with a per-second countdown computed here from
// `expiresAt`, no IPC per tick), long-term keys and settings. State lives in Rust; this page
// re-reads the overview on start, after each action, and when Rust says something changed.
// Forms sit outside the re-rendered tables so typing is never lost to a refresh.
import { call, on } from "./api";
import type { CommandError, ExpiryView, ExportChoice, Intent, Overview, ProfileView, SessionView } from "./bindings";
import { EVENTS } from "./bindings";
import { byId, h } from "./dom";
import {
  EXPIRING_SOON_SECONDS,
  describeExpiry,
  formatTimeLeft,
  kindLabel,
  parseIntent,
  secondsLeft,
  splitDurations,
  suggestTarget,
} from "./format";

let overview: Overview | null = null;
/** Sessions this close to their end show as expiring (the longest warning threshold). */
let expiringWithin = EXPIRING_SOON_SECONDS;
/** The warning times in force, to prefill their form. */
let currentWarnBefore: string[] = [];
let writingSession: SessionView | null = null;
let pendingIntent: Intent | null = parseIntent(window.location.hash);

const exportFormat = byId<HTMLSelectElement>("export-format");
let formatChosen = false;

// --- feedback -------------------------------------------------------------------------------

function showError(error: CommandError): void {
  byId("banner-text").textContent = error.message;
  byId("banner-code").textContent = error.code;
  byId("banner").hidden = false;
}

function clearError(): void {
  byId("banner").hidden = true;
}

let noticeTimer: number | undefined;
function notice(text: string): void {
  const el = byId("notice");
  el.textContent = text;
  el.hidden = false;
  window.clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => (el.hidden = true), 6000);
}

const busy = new Set<string>();
function setBusy(key: string, on: boolean, text?: string): void {
  if (on) busy.add(key);
  else busy.delete(key);
  const el = byId("busy");
  el.hidden = busy.size === 0;
  if (text && on) el.textContent = text;
  if (busy.size === 0) el.textContent = "";
}

/** Runs an action with the busy line shown and errors sent to the banner. */
async function act<T>(key: string, text: string, action: () => Promise<T>): Promise<T | undefined> {
  setBusy(key, true, text);
  clearError();
  try {
    return await action();
  } catch (error) {
    const e = error as CommandError;
    if (e.code !== "mfa_cancelled") showError(e);
    return undefined;
  } finally {
    setBusy(key, false);
    await refresh();
  }
}

// --- rendering ------------------------------------------------------------------------------

async function refresh(): Promise<void> {
  try {
    overview = await call("get_overview", {});
  } catch (error) {
    showError(error as CommandError);
    return;
  }
  if (!formatChosen) exportFormat.value = overview.defaultExportFormat;
  byId("paths").textContent = `${overview.configPath} · ${overview.credentialsPath}`;
  renderExpiry(overview);
  renderSessions(overview.sessions);
  renderProfiles(overview);
  renderKeys(overview);
  if (pendingIntent) {
    const intent = pendingIntent;
    pendingIntent = null;
    handleIntent(intent);
  }
}

function renderExpiry(o: Overview): void {
  showExpiry(o.expiry);
}

function showExpiry(expiry: ExpiryView): void {
  expiringWithin = expiry.expiringWithinSeconds;
  byId("expiry-settings").textContent = describeExpiry(expiry);
  byId<HTMLButtonElement>("warn-edit").disabled = expiry.problem !== null;
  currentWarnBefore = expiry.warnBefore;
  const problem = byId("expiry-problem");
  problem.hidden = expiry.problem === null;
  problem.textContent = expiry.problem
    ? `Settings not used, the defaults apply: ${expiry.problem.message} (${expiry.problem.code})`
    : "";
}

// Warning times: an inline form over `set_warn_before` (saved to settings.json, in force at once).

const warnForm = byId<HTMLFormElement>("warn-form");
const warnInput = byId<HTMLInputElement>("warn-before");

function setWarnError(error: CommandError | null): void {
  const el = byId("warn-error");
  el.hidden = error === null;
  el.textContent = error ? error.message : "";
}

byId("warn-edit").addEventListener("click", () => {
  warnInput.value = currentWarnBefore.join(", ");
  setWarnError(null);
  warnForm.hidden = false;
  warnInput.focus();
});
byId("warn-cancel").addEventListener("click", () => (warnForm.hidden = true));
warnForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void call("set_warn_before", { warnBefore: splitDurations(warnInput.value) })
    .then((view) => {
      showExpiry(view);
      warnForm.hidden = true;
      tick();
      notice(view.warnBefore.length ? `Warnings ${view.warnBefore.join(" and ")} before the end` : "A warning only when a session ends");
    })
    .catch((error) => setWarnError(error as CommandError));
});

function cell(...children: (Node | string | null)[]): HTMLTableCellElement {
  return h("td", {}, ...children);
}

function renderSessions(sessions: SessionView[]): void {
  const body = byId("sessions-body");
  body.replaceChildren(
    ...sessions.map((s) =>
      h(
        "tr",
        { "data-testid": "session-row", "data-profile": s.profile, "data-session-id": s.id },
        cell(h("strong", {}, s.profile), s.roleArn ? h("div", { class: "sub" }, s.roleArn) : null),
        cell(s.kind === "assumeRole" ? "role" : "MFA session"),
        cell(
          h("span", {
            class: "time-left",
            "data-testid": "session-time-left",
            "data-expires-at": s.expiresAt,
            title: `until ${new Date(s.expiresAt).toLocaleString()}`,
          }),
        ),
        cell(s.writtenTo.length ? s.writtenTo.join(", ") : "—"),
        cell(
          h("div", { class: "row-actions" },
            h("button", { type: "button", "data-testid": "copy-exports", "data-profile": s.profile, onclick: () => void copyExports(s) }, "Copy exports"),
            h("button", { type: "button", "data-testid": "open-write", "data-profile": s.profile, onclick: () => openWrite(s) }, "Write to profile…"),
            h("button", { type: "button", "data-testid": "renew", "data-profile": s.profile, onclick: () => void renew(s.profile) }, "Renew"),
            h("button", { type: "button", "data-testid": "log-out", "data-profile": s.profile, onclick: () => void logOut(s.profile) }, "Log out"),
          ),
        ),
      ),
    ),
  );
  byId("no-sessions").hidden = sessions.length > 0;
  tick();
  if (writingSession && !sessions.some((s) => s.id === writingSession?.id)) closeWrite();
}

function renderProfiles(o: Overview): void {
  const loadError = byId("load-error");
  loadError.hidden = o.loadError === null;
  loadError.textContent = o.loadError ? `${o.loadError.message} (${o.loadError.code})` : "";
  byId("profiles-body").replaceChildren(
    ...o.profiles.map((p) => {
      const usable = p.kind !== "unsupported" && p.kind !== "invalid";
      const live = o.sessions.some((s) => s.profile === p.name);
      return h(
        "tr",
        { "data-testid": "profile-row", "data-profile": p.name, class: usable ? "" : "disabled" },
        cell(h("strong", {}, p.name), live ? h("span", { class: "badge", "data-testid": "profile-active" }, "active") : null),
        cell(kindLabel(p.kind)),
        cell(p.roleArn ? h("code", {}, p.roleArn) : "—"),
        cell(p.mfaSerial ? h("code", {}, p.mfaSerial) : "—"),
        h("td", { class: "nowrap" }, p.region ?? "—"),
        cell(sourceText(p)),
        cell(
          usable
            ? h("div", { class: "row-actions stacked" },
                h("button", { type: "button", class: "primary", "data-testid": "assume", "data-profile": p.name, onclick: () => void assume(p.name) }, "Assume"),
                autoRefreshToggle(p.name, o.expiry),
              )
            : h("span", { class: "problem", "data-testid": "profile-problem", title: p.problem?.code ?? "" }, p.problem?.message ?? ""),
        ),
      );
    }),
  );
}

/** "auto-refresh" for one profile: renewed before it ends (no code needed) and rewritten where
 *  it was written. Saved to settings.json at once; off while that file is broken. */
function autoRefreshToggle(profile: string, expiry: ExpiryView): HTMLElement {
  const box = h("input", {
    type: "checkbox",
    "data-testid": "auto-refresh",
    "data-profile": profile,
  });
  box.checked = expiry.autoRefresh.includes(profile);
  box.disabled = expiry.problem !== null;
  box.addEventListener("change", () => {
    const enabled = box.checked;
    void call("set_auto_refresh", { profile, enabled })
      .then((view) => {
        showExpiry(view);
        notice(enabled ? `${profile} will be renewed before it expires when no code is needed` : `Auto-refresh off for ${profile}`);
      })
      .catch((error) => {
        box.checked = !enabled;
        showError(error as CommandError);
      });
  });
  return h(
    "label",
    { class: "check", title: "Renew before expiry when no MFA code is needed, and rewrite the credentials-file profiles it was written to" },
    box,
    " auto-refresh",
  );
}

function sourceText(p: ProfileView): string {
  const keys = p.keys === "keyring" ? "keys in keyring" : p.keys === "file" ? "keys in file" : p.keys === "missing" ? "no keys stored" : "";
  const from = p.sourceProfile ?? (p.keyProfile !== p.name ? p.keyProfile : null);
  return [from ? `from ${from}` : null, keys || null].filter(Boolean).join(", ") || "—";
}

function renderKeys(o: Overview): void {
  byId("keys-body").replaceChildren(
    ...o.keyProfiles.map((name) => {
      const stored = o.keys.find((k) => k.profile === name);
      return h(
        "tr",
        { "data-testid": "key-row", "data-profile": name },
        cell(h("strong", {}, name)),
        cell(stored ? h("code", { "data-testid": "key-masked" }, stored.maskedKeyId) : "not in keyring"),
        cell(stored ? new Date(stored.addedAt).toLocaleString() : "—"),
        cell(
          h("div", { class: "row-actions" },
            h("button", { type: "button", "data-testid": "key-edit", "data-profile": name, onclick: () => openKeys(name) }, stored ? "Replace…" : "Add…"),
            stored
              ? h("button", { type: "button", class: "danger", "data-testid": "key-remove", "data-profile": name, onclick: () => void removeKeys(name) }, "Remove")
              : null,
          ),
        ),
      );
    }),
  );
}

/** The countdown: text only, once a second, from each row's expiry. */
function tick(): void {
  const now = Date.now();
  for (const el of document.querySelectorAll<HTMLElement>("[data-expires-at]")) {
    const left = secondsLeft(el.dataset.expiresAt ?? "", now);
    el.textContent = formatTimeLeft(left);
    el.classList.toggle("expiring", left > 0 && left <= expiringWithin);
  }
}

// --- actions --------------------------------------------------------------------------------

async function assume(profile: string): Promise<void> {
  const session = await act(`assume:${profile}`, `Getting a session for ${profile}… (answer the MFA dialog if it opens)`, () =>
    call("assume_profile", { profile }),
  );
  if (session) notice(`Session for ${session.profile} until ${new Date(session.expiresAt).toLocaleTimeString()}`);
}

async function renew(profile: string): Promise<void> {
  const session = await act(`renew:${profile}`, `Renewing ${profile}…`, () => call("renew_session", { profile }));
  if (session) notice(`New session for ${session.profile}`);
}

async function logOut(profile: string): Promise<void> {
  const report = await act(`logout:${profile}`, `Logging out of ${profile}…`, () => call("log_out", { profile }));
  if (report) {
    const removed = report.sectionsRemoved.length ? `; removed [${report.sectionsRemoved.join("], [")}] from the credentials file` : "";
    notice(`Logged out of ${report.profile}${removed}`);
  }
}

async function copyExports(session: SessionView): Promise<void> {
  const format = exportFormat.value as ExportChoice;
  const report = await act(`copy:${session.id}`, "Copying…", () => call("copy_exports", { sessionId: session.id, format }));
  if (report) notice(`Copied ${report.variables} ${report.format} lines for ${report.profile} to the clipboard`);
}

// Write form

const writeForm = byId<HTMLFormElement>("write-form");
const writeTarget = byId<HTMLInputElement>("write-target");

function openWrite(session: SessionView): void {
  writingSession = session;
  byId("write-profile").textContent = session.profile;
  writeTarget.value = session.writtenTo[0] ?? suggestTarget(session.profile);
  byId("write-hint").textContent = `Tools then use it with --profile ${writeTarget.value} (or AWS_PROFILE).`;
  setWriteError(null);
  byId("write-confirm").hidden = true;
  writeForm.hidden = false;
  writeTarget.focus();
  writeTarget.select();
}

function closeWrite(): void {
  writingSession = null;
  writeForm.hidden = true;
}

function setWriteError(error: CommandError | null): void {
  const el = byId("write-error");
  el.hidden = error === null;
  el.textContent = error?.message ?? "";
  el.dataset.code = error?.code ?? "";
}

/** Write refusals the user may override, and how the override is asked. */
const FORCEABLE: Record<string, { question: string; button: string } | undefined> = {
  long_term_keys_in_target: {
    question: "Replace those long-term keys with this session? Keep a copy of them first.",
    button: "Replace them",
  },
  section_not_owned: {
    question: "Write this session into that section anyway? Its credential keys are replaced; its other lines stay.",
    button: "Write anyway",
  },
};

async function write(force: boolean): Promise<void> {
  const session = writingSession;
  if (!session) return;
  const target = writeTarget.value.trim();
  setWriteError(null);
  byId("write-confirm").hidden = true;
  try {
    const result = await call("write_session", { sessionId: session.id, target, force });
    closeWrite();
    const extras = [
      result.createdFile ? "created the file" : null,
      result.replacedLongTermKeys ? "replaced long-term keys" : null,
      result.removedExpired.length ? `removed expired [${result.removedExpired.join("], [")}]` : null,
      result.duplicateLines.length ? `warning: other [${result.profile}] sections on lines ${result.duplicateLines.join(", ")}` : null,
    ].filter(Boolean);
    notice(`Wrote ${session.profile} to [${result.profile}] in ${result.path}${extras.length ? ` (${extras.join("; ")})` : ""}`);
  } catch (error) {
    const e = error as CommandError;
    setWriteError(e);
    // Only these guard rails can be overridden: the user confirms writing into a section that
    // Rolebar did not write (its credential keys replaced, its other lines kept).
    const confirm = FORCEABLE[e.code];
    byId("write-confirm").hidden = !confirm;
    if (confirm) {
      byId("write-confirm-text").textContent = confirm.question;
      byId("write-force").textContent = confirm.button;
    }
  }
  await refresh();
}

writeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void write(false);
});
byId("write-force").addEventListener("click", () => void write(true));
byId("write-cancel").addEventListener("click", closeWrite);
writeTarget.addEventListener("input", () => {
  byId("write-hint").textContent = `Tools then use it with --profile ${writeTarget.value.trim()} (or AWS_PROFILE).`;
});

// Keys form

const keysForm = byId<HTMLFormElement>("keys-form");
const keysProfile = byId<HTMLInputElement>("keys-profile");
const keysId = byId<HTMLInputElement>("keys-access-key-id");
const keysSecret = byId<HTMLInputElement>("keys-secret");

function openKeys(profile: string): void {
  keysProfile.value = profile;
  keysProfile.readOnly = profile !== "";
  byId("keys-profile-label").textContent = profile || "a profile";
  keysId.value = "";
  keysSecret.value = "";
  setKeysError(null);
  keysForm.hidden = false;
  (profile ? keysId : keysProfile).focus();
}

function closeKeys(): void {
  keysId.value = "";
  keysSecret.value = "";
  keysForm.hidden = true;
}

function setKeysError(error: CommandError | null): void {
  const el = byId("keys-error");
  el.hidden = error === null;
  el.textContent = error?.message ?? "";
}

keysForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const profile = keysProfile.value.trim();
  void (async () => {
    try {
      const key = await call("add_keys", { profile, accessKeyId: keysId.value.trim(), secretAccessKey: keysSecret.value });
      // The secret leaves the page as soon as it is stored.
      closeKeys();
      notice(`Stored keys ${key.maskedKeyId} for ${key.profile} in the keyring`);
    } catch (error) {
      keysSecret.value = "";
      setKeysError(error as CommandError);
    }
    await refresh();
  })();
});
byId("keys-cancel").addEventListener("click", closeKeys);
byId("keys-add-other").addEventListener("click", () => openKeys(""));

async function removeKeys(profile: string): Promise<void> {
  if (!window.confirm(`Remove the keys of ${profile} from the keyring? Its sessions are removed too.`)) return;
  const removed = await act(`keys:${profile}`, `Removing the keys of ${profile}…`, () => call("remove_keys", { profile }));
  if (removed !== undefined) notice(removed ? `Removed the keys of ${profile}` : `No keys were stored for ${profile}`);
}

// Settings

const autostart = byId<HTMLInputElement>("autostart");
autostart.addEventListener("change", () => {
  void call("set_autostart", { enabled: autostart.checked })
    .then((s) => {
      autostart.checked = s.autostart;
      notice(s.autostart ? "Rolebar will start at login" : "Rolebar will not start at login");
    })
    .catch((error) => {
      autostart.checked = !autostart.checked;
      showError(error as CommandError);
    });
});

// --- wiring ---------------------------------------------------------------------------------

function handleIntent(intent: Intent): void {
  if (intent.kind === "write") {
    const session = overview?.sessions.find((s) => s.id === intent.sessionId);
    if (session) openWrite(session);
    else showError({ code: "session_not_found", message: "That session is gone; assume the profile again." });
  }
}

exportFormat.addEventListener("change", () => (formatChosen = true));
byId("refresh").addEventListener("click", () => void refresh());
byId("banner-close").addEventListener("click", clearError);
window.setInterval(tick, 1000);
void on(EVENTS.changed, () => void refresh());
void on<Intent>(EVENTS.intent, (intent) => {
  pendingIntent = intent;
  void refresh();
});
void call("get_settings", {})
  .then((s) => (autostart.checked = s.autostart))
  .catch(() => (autostart.disabled = true));
void refresh();
