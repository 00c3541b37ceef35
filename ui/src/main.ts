// The main window: profiles, live sessions (with a per-second countdown computed here from
// `expiresAt`, no IPC per tick), long-term keys and settings. State lives in Rust; this page
// re-reads the overview on start, after each action, and when Rust says something changed.
// Forms sit outside the re-rendered tables so typing is never lost to a refresh.
import { call, on, toCommandError } from "./api";
import type {
  AwsVaultImportLine,
  AwsVaultImportReport,
  CommandError,
  ErrorCode,
  ExpiryView,
  ExportChoice,
  HotkeyView,
  Intent,
  Overview,
  ProfileView,
  SessionView,
  SignInView,
  SsoAccountView,
} from "./bindings";
import { EVENTS } from "./bindings";
import { byId, h } from "./dom";
import {
  EXPIRING_SOON_SECONDS,
  describeExpiry,
  formatTimeLeft,
  kindLabel,
  parseIntent,
  sessionKindLabel,
  signInStatus,
  pathsLine,
  secondsLeft,
  splitDurations,
  suggestTarget,
  writtenInfo,
} from "./format";
import { language, languageSetting, listAnd, startI18n, t } from "./i18n";
import { matchesFilter, orderProfiles } from "./order";

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
  render(overview);
  if (pendingIntent) {
    const intent = pendingIntent;
    pendingIntent = null;
    handleIntent(intent);
  }
}

/** Everything drawn from the overview (again after a language change). */
function render(overview: Overview): void {
  const paths = pathsLine(overview);
  byId("paths").textContent = paths.text;
  byId("paths").title = paths.title;
  renderExpiry(overview);
  renderAgentOff(overview);
  renderNoTray(overview);
  renderAwsVaultOffer(overview);
  renderSessions(overview.sessions);
  renderProfiles(overview);
  renderSignIns(overview.signIns);
  renderKeys(overview);
}

// --- IAM Identity Center: the sign-ins the profiles use, and a browser of their accounts ------

function renderSignIns(signIns: SignInView[]): void {
  byId("sso-section").hidden = signIns.length === 0;
  const now = Date.now();
  byId("sign-ins-body").replaceChildren(
    ...signIns.map((s) => {
      const signedIn = signInStatus(s, now).signedIn;
      return h(
        "tr",
        { "data-testid": "sign-in-row", "data-sign-in": s.name },
        cell(h("strong", {}, s.name), h("div", { class: "sub" }, s.profiles.join(", "))),
        cell(h("code", {}, s.startUrl)),
        cell(h("span", { "data-testid": "sign-in-status" }, signInStatus(s, now).text)),
        cell(
          h("div", { class: "row-actions" },
            signedIn
              ? h("button", { type: "button", "data-testid": "sso-sign-out", "data-sign-in": s.name, onclick: () => void ssoSignOut(s.name) }, t("main-sso-sign-out"))
              : h("button", { type: "button", class: "primary", "data-testid": "sso-sign-in", "data-sign-in": s.name, onclick: () => void ssoSignIn(s.name) }, t("main-sso-sign-in")),
            h("button", { type: "button", "data-testid": "sso-browse", "data-sign-in": s.name, onclick: () => void browseAccounts(s.name) }, t("main-sso-browse")),
          ),
        ),
      );
    }),
  );
}

async function ssoSignIn(name: string): Promise<void> {
  clearError();
  setBusy(`sign-in:${name}`, true, t("main-busy-sign-in", { name }));
  try {
    await call("sso_sign_in", { name });
    notice(t("main-notice-signed-in", { name }));
  } catch (e) {
    showError(toCommandError(e));
  } finally {
    setBusy(`sign-in:${name}`, false);
  }
  await refresh();
}

async function ssoSignOut(name: string): Promise<void> {
  clearError();
  try {
    const dropped = await call("sso_sign_out", { name });
    notice(t("main-notice-signed-out", { name, count: dropped }));
  } catch (e) {
    showError(toCommandError(e));
  }
  await refresh();
}

let browsing: string | null = null;

function setAccountsError(error: CommandError | null): void {
  const el = byId("sso-accounts-error");
  el.hidden = error === null;
  el.textContent = error ? error.message : "";
}

async function browseAccounts(name: string): Promise<void> {
  browsing = name;
  byId("sso-accounts-name").textContent = name;
  byId("sso-accounts").hidden = false;
  byId("sso-accounts-body").replaceChildren();
  setAccountsError(null);
  setBusy(`accounts:${name}`, true, t("main-busy-accounts", { name }));
  try {
    const accounts = await call("sso_accounts", { name });
    if (browsing === name) renderAccounts(name, accounts);
  } catch (e) {
    if (browsing === name) setAccountsError(toCommandError(e));
  } finally {
    setBusy(`accounts:${name}`, false);
  }
}

function renderAccounts(name: string, accounts: SsoAccountView[]): void {
  byId("sso-accounts-body").replaceChildren(
    ...accounts.flatMap((a) =>
      a.roles.map((r) => {
        const input = h("input", {
          "data-testid": "sso-new-profile",
          "data-account": a.accountId,
          "data-role": r.roleName,
          spellcheck: "false",
          autocomplete: "off",
        }) as HTMLInputElement;
        input.value = r.suggestedProfile;
        return h(
          "tr",
          { "data-testid": "sso-role-row", "data-account": a.accountId, "data-role": r.roleName },
          cell(h("strong", {}, a.name), h("div", { class: "sub" }, `${a.accountId} · ${a.email}`)),
          cell(r.roleName),
          cell(r.profile ? h("span", { "data-testid": "sso-existing-profile" }, r.profile) : input),
          cell(
            r.profile
              ? "—"
              : h("button", {
                  type: "button",
                  "data-testid": "sso-add-profile",
                  "data-account": a.accountId,
                  "data-role": r.roleName,
                  onclick: () => void addSsoProfile(name, a, r.roleName, input.value),
                }, t("main-sso-add-profile")),
          ),
        );
      }),
    ),
  );
}

async function addSsoProfile(name: string, account: SsoAccountView, roleName: string, profile: string): Promise<void> {
  setAccountsError(null);
  try {
    await call("add_sso_profile", { name, accountId: account.accountId, roleName, profile, region: null });
    notice(t("main-notice-profile-added", { profile }));
    await refresh();
    await browseAccounts(name);
  } catch (e) {
    setAccountsError(toCommandError(e));
  }
}

byId("sso-accounts-close").addEventListener("click", () => {
  browsing = null;
  byId("sso-accounts").hidden = true;
});

function renderExpiry(o: Overview): void {
  showExpiry(o.expiry);
}

function showExpiry(expiry: ExpiryView): void {
  expiringWithin = expiry.expiringWithinSeconds;
  byId("expiry-settings").textContent = describeExpiry(expiry);
  byId("expiry-settings").title = expiry.settingsPath ?? "";
  byId<HTMLButtonElement>("warn-edit").disabled = expiry.problem !== null;
  currentWarnBefore = expiry.warnBefore;
  const problem = byId("expiry-problem");
  problem.hidden = expiry.problem === null;
  problem.textContent = expiry.problem
    ? t("main-expiry-problem", { message: expiry.problem.message, code: expiry.problem.code })
    : "";
}

/** The credentials agent could not start (e.g. another user made its folder first): say so. */
function renderAgentOff(o: Overview): void {
  const off = byId("agent-off");
  off.hidden = o.agentOff === null;
  off.textContent = o.agentOff ? t("main-agent-off", { message: o.agentOff.error.message }) : "";
  off.title = o.agentOff?.error.code ?? "";
}

/** No tray host: say how to get the icon, and offer Quit (the tray's menu has it otherwise). */
function renderNoTray(o: Overview): void {
  byId("no-tray").hidden = o.trayHost;
  byId("no-tray-text").textContent = o.trayHint === "gnome" ? t("main-no-tray-gnome") : t("main-no-tray-other");
}

// aws-vault's keys, offered while Rolebar's keyring holds none (the passphrase field is a
// password input, cleared after every attempt; Rust wipes its copy when the command ends).

function renderAwsVaultOffer(o: Overview): void {
  const offer = o.awsVaultOffer;
  byId("aws-vault-offer").hidden = offer === null;
  const text = byId("aws-vault-offer-text");
  const found =
    offer && offer.profiles.length > 0
      ? t("main-aws-vault-found", { count: offer.profiles.length, profiles: listAnd(offer.profiles) })
      : "";
  text.textContent = offer?.keyringLocked ? `${found} ${t("main-aws-vault-locked")}`.trim() : found;
  text.title = offer?.places.join("\n") ?? "";
  byId("aws-vault-passphrase-label").hidden = !(offer?.needsPassphrase ?? false);
}

function importOutcome(line: AwsVaultImportLine): string {
  switch (line.outcome) {
    case "imported":
      return t("main-aws-vault-outcome-imported");
    case "alreadyThere":
      return t("main-aws-vault-outcome-already");
    case "keptOther":
      return t("main-aws-vault-outcome-kept", { key: line.detail ?? "" });
    case "duplicate":
      return t("main-aws-vault-outcome-duplicate", { backend: line.detail ?? "" });
    case "skipped":
      return t("main-aws-vault-outcome-skipped", { why: line.detail ?? "" });
  }
}

function showImportReport(report: AwsVaultImportReport): void {
  byId("aws-vault-report-text").textContent = t("main-aws-vault-imported", { count: report.imported });
  byId("aws-vault-report-lines").replaceChildren(
    ...report.lines.map((line) =>
      h(
        "li",
        { "data-testid": "aws-vault-report-line", "data-profile": line.profile },
        `${line.profile} (${line.backend}) ${line.maskedKeyId ?? ""} ${importOutcome(line)}`,
      ),
    ),
  );
  byId("aws-vault-report").hidden = false;
}

const awsVaultPassphrase = byId<HTMLInputElement>("aws-vault-passphrase");
byId<HTMLFormElement>("aws-vault-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const passphrase = awsVaultPassphrase.value;
  awsVaultPassphrase.value = "";
  const error = byId("aws-vault-error");
  void (async () => {
    try {
      const report = await call("import_aws_vault", { passphrase: passphrase === "" ? null : passphrase });
      error.hidden = true;
      showImportReport(report);
    } catch (e) {
      const failure = toCommandError(e);
      error.textContent = failure.message;
      error.title = failure.code;
      error.hidden = false;
    }
    await refresh();
  })();
});
byId("aws-vault-report-close").addEventListener("click", () => {
  byId("aws-vault-report").hidden = true;
});

byId("quit").addEventListener("click", () => {
  call("quit", {}).catch((e) => showError(toCommandError(e)));
});

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
      notice(
        view.warnBefore.length
          ? t("main-notice-warnings", { times: listAnd(view.warnBefore) })
          : t("main-notice-warning-end-only"),
      );
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
        h("td", { class: "nowrap" }, sessionKindLabel(s.kind)),
        cell(
          h("span", {
            class: "time-left",
            "data-testid": "session-time-left",
            "data-expires-at": s.expiresAt,
            title: t("main-until", { date: new Date(s.expiresAt).toLocaleString(language()) }),
          }),
        ),
        cell(s.writtenTo.length ? s.writtenTo.join(", ") : "—"),
        cell(
          h("div", { class: "row-actions" },
            h("button", { type: "button", "data-testid": "copy-exports", "data-profile": s.profile, onclick: () => void copyExports(s) }, t("main-copy-exports")),
            consoleButton(s.profile),
            h("button", { type: "button", "data-testid": "open-write", "data-profile": s.profile, onclick: () => openWrite(s) }, t("main-open-write")),
            h("button", { type: "button", "data-testid": "renew", "data-profile": s.profile, onclick: () => void renew(s.profile) }, t("main-renew")),
            h("button", { type: "button", "data-testid": "log-out", "data-profile": s.profile, onclick: () => void logOut(s.profile) }, t("main-log-out")),
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
  const filter = (byId("profile-filter") as HTMLInputElement).value;
  const live = o.sessions.map((s) => s.profile);
  byId("profiles-body").replaceChildren(
    ...orderProfiles(o.profiles, live, o.recent, o.favourites)
      .filter((p) => matchesFilter(p, filter))
      .map((p) => {
      if (p.kind === "written") return writtenRow(p);
      const usable = p.kind !== "unsupported" && p.kind !== "invalid";
      const live = o.sessions.some((s) => s.profile === p.name);
      return h(
        "tr",
        { "data-testid": "profile-row", "data-profile": p.name, class: usable ? "" : "disabled" },
        cell(h("strong", {}, p.name), live ? h("span", { class: "badge", "data-testid": "profile-active" }, t("main-active")) : null),
        h("td", { class: "nowrap" }, kindLabel(p.kind)),
        cell(p.roleArn ? h("code", {}, p.roleArn) : "—"),
        cell(p.mfaSerial ? h("code", {}, p.mfaSerial) : "—"),
        h("td", { class: "nowrap" }, p.region ?? "—"),
        cell(sourceText(p)),
        cell(
          usable
            ? h("div", { class: "row-actions stacked" },
                h("button", { type: "button", class: "primary", "data-testid": "assume", "data-profile": p.name, onclick: () => void assume(p.name) }, t("main-assume")),
                consoleButton(p.name),
                autoRefreshToggle(p.name, o.expiry),
                favouriteButton(p.name, o.favourites.includes(p.name)),
              )
            : h("span", { class: "problem", "data-testid": "profile-problem", title: p.problem?.code ?? "" }, p.problem?.message ?? ""),
        ),
      );
    }),
  );
}

/** A section Rolebar wrote to the credentials file: its output, not a profile to assume. It says
 *  where it came from and how long it lasts, and "Log out" takes it back. */
function writtenRow(p: ProfileView): HTMLElement {
  const written = p.written ?? { sourceProfile: null, expiresAt: null };
  return h(
    "tr",
    { "data-testid": "profile-row", "data-profile": p.name, class: "written" },
    cell(h("strong", {}, p.name)),
    h("td", { class: "nowrap" }, kindLabel(p.kind)),
    cell("—"),
    cell("—"),
    h("td", { class: "nowrap" }, "—"),
    cell(h("span", { "data-testid": "written-info", "data-written-profile": p.name }, writtenInfo(written, Date.now()))),
    cell(
      h("button", { type: "button", "data-testid": "written-log-out", "data-profile": p.name, title: t("main-written-log-out-title"), onclick: () => void logOut(p.name) }, t("main-log-out")),
    ),
  );
}

/** Pin to (or unpin from) the favourites, which the tray lists near its top when there are many
 *  profiles. Saved to settings.json at once; refused while that file is broken. */
function favouriteButton(profile: string, pinned: boolean): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      "data-testid": "favourite",
      "data-profile": profile,
      "aria-pressed": String(pinned),
      onclick: () => void setFavourite(profile, !pinned),
    },
    pinned ? t("main-unpin") : t("main-pin"),
  );
}

async function setFavourite(profile: string, pinned: boolean): Promise<void> {
  try {
    await call("set_favourite", { profile, pinned });
  } catch (e) {
    showError(e as CommandError);
  }
  await refresh();
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
        notice(
          enabled
            ? t("main-notice-auto-refresh-on", { profile })
            : t("main-notice-auto-refresh-off", { profile }),
        );
      })
      .catch((error) => {
        box.checked = !enabled;
        showError(error as CommandError);
      });
  });
  return h(
    "label",
    { class: "check", title: t("main-auto-refresh-title") },
    box,
    ` ${t("main-auto-refresh")}`,
  );
}

function sourceText(p: ProfileView): string {
  const keys =
    p.keys === "keyring"
      ? t("main-source-keyring")
      : p.keys === "file"
        ? t("main-source-file")
        : p.keys === "missing"
          ? t("main-source-missing")
          : "";
  const from = p.sourceProfile ?? (p.keyProfile !== p.name ? p.keyProfile : null);
  return [from ? t("main-source-from", { profile: from }) : null, keys || null].filter(Boolean).join(", ") || "—";
}

function renderKeys(o: Overview): void {
  byId("keys-body").replaceChildren(
    ...o.keyProfiles.map((name) => {
      const stored = o.keys.find((k) => k.profile === name);
      return h(
        "tr",
        { "data-testid": "key-row", "data-profile": name },
        cell(h("strong", {}, name)),
        cell(stored ? h("code", { "data-testid": "key-masked" }, stored.maskedKeyId) : t("main-key-not-in-keyring")),
        cell(
          stored ? new Date(stored.addedAt).toLocaleString(language()) : "—",
          stored?.age ? h("div", { class: "sub", "data-testid": "key-age" }, stored.age) : null,
          stored?.rotateDue ? h("span", { class: "badge warn", "data-testid": "key-rotate-due" }, t("main-key-age-due")) : null,
        ),
        cell(
          h("div", { class: "row-actions" },
            stored
              ? h("button", { type: "button", "data-testid": "key-rotate", "data-profile": name, onclick: () => void rotateKeys(name) }, t("main-key-rotate"))
              : null,
            h("button", { type: "button", "data-testid": "key-edit", "data-profile": name, onclick: () => openKeys(name) }, stored ? t("main-key-replace") : t("main-key-add")),
            stored
              ? h("button", { type: "button", class: "danger", "data-testid": "key-remove", "data-profile": name, onclick: () => void removeKeys(name) }, t("main-key-remove"))
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
  for (const el of document.querySelectorAll<HTMLElement>("[data-written-profile]")) {
    const written = overview?.profiles.find((p) => p.name === el.dataset.writtenProfile)?.written;
    if (written) el.textContent = writtenInfo(written, now);
  }
}

// --- actions --------------------------------------------------------------------------------

async function assume(profile: string): Promise<void> {
  const session = await act(`assume:${profile}`, t("main-busy-assume", { profile }), () =>
    call("assume_profile", { profile }),
  );
  if (session) {
    const time = new Date(session.expiresAt).toLocaleTimeString(language());
    notice(t("main-notice-session-until", { profile: session.profile, time }));
  }
}

/** "Console": the AWS console in the browser, signed in as `profile` (assumed first if needed).
 *  The sign-in URL stays in Rust; only notes come back (e.g. a 1-hour cap). */
function consoleButton(profile: string): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      "data-testid": "open-console",
      "data-profile": profile,
      title: t("main-console-title", { profile }),
      onclick: () => void openConsole(profile),
    },
    t("main-console"),
  );
}

async function openConsole(profile: string): Promise<void> {
  const report = await act(`console:${profile}`, t("main-busy-console", { profile }), () =>
    call("open_console", { profile }),
  );
  if (report) notice([t("main-notice-console", { profile: report.profile }), ...report.notes].join(" "));
}

async function renew(profile: string): Promise<void> {
  const session = await act(`renew:${profile}`, t("main-busy-renew", { profile }), () => call("renew_session", { profile }));
  if (session) notice(t("main-notice-renewed", { profile: session.profile }));
}

async function logOut(profile: string): Promise<void> {
  const report = await act(`logout:${profile}`, t("main-busy-log-out", { profile }), () => call("log_out", { profile }));
  if (report) {
    notice(
      report.sectionsRemoved.length
        ? t("main-notice-logged-out-removed", { profile: report.profile, sections: `[${report.sectionsRemoved.join("], [")}]` })
        : t("main-notice-logged-out", { profile: report.profile }),
    );
  }
}

async function copyExports(session: SessionView): Promise<void> {
  const format = exportFormat.value as ExportChoice;
  const report = await act(`copy:${session.id}`, t("main-busy-copy"), () => call("copy_exports", { sessionId: session.id, format }));
  if (report) notice(t("main-notice-copied", { count: report.variables, format: report.format, profile: report.profile }));
}

// Write form

const writeForm = byId<HTMLFormElement>("write-form");
const writeTarget = byId<HTMLInputElement>("write-target");

function openWrite(session: SessionView): void {
  writingSession = session;
  byId("write-profile").textContent = session.profile;
  writeTarget.value = session.writtenTo[0] ?? suggestTarget(session.profile);
  showWriteHint();
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

function showWriteHint(): void {
  byId("write-hint").textContent = t("main-write-hint", { target: writeTarget.value.trim() });
}

/** Write refusals the user may override, and how the override is asked (in the language shown,
 *  so looked up when asked). */
function forceable(code: ErrorCode): { question: string; button: string } | undefined {
  switch (code) {
    case "long_term_keys_in_target":
      return { question: t("main-write-confirm-keys"), button: t("main-write-force-keys") };
    case "section_not_owned":
      return { question: t("main-write-confirm-not-owned"), button: t("main-write-force-not-owned") };
    default:
      return undefined;
  }
}
/** The refusal the confirmation answers, to re-word it after a language change. */
let confirming: ErrorCode | null = null;

function showConfirm(code: ErrorCode | null): void {
  const confirm = code === null ? undefined : forceable(code);
  confirming = confirm ? code : null;
  byId("write-confirm").hidden = !confirm;
  if (confirm) {
    byId("write-confirm-text").textContent = confirm.question;
    byId("write-force").textContent = confirm.button;
  }
}

async function write(force: boolean): Promise<void> {
  const session = writingSession;
  if (!session) return;
  const target = writeTarget.value.trim();
  setWriteError(null);
  showConfirm(null);
  try {
    const result = await call("write_session", { sessionId: session.id, target, force });
    closeWrite();
    const extras = [
      result.createdFile ? t("main-wrote-created-file") : null,
      result.replacedLongTermKeys ? t("main-wrote-replaced-keys") : null,
      result.removedExpired.length ? t("main-wrote-removed-expired", { sections: `[${result.removedExpired.join("], [")}]` }) : null,
      result.duplicateLines.length
        ? t("main-wrote-duplicates", { target: result.profile, lines: result.duplicateLines.join(", ") })
        : null,
    ].filter(Boolean);
    const wrote = t("main-notice-wrote", { profile: session.profile, target: result.profile, path: result.path });
    notice(`${wrote}${extras.length ? ` (${extras.join("; ")})` : ""}`);
  } catch (error) {
    const e = error as CommandError;
    setWriteError(e);
    // Only these guard rails can be overridden: the user confirms writing into a section that
    // Rolebar did not write (its credential keys replaced, its other lines kept).
    showConfirm(e.code);
  }
  await refresh();
}

writeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void write(false);
});
byId("write-force").addEventListener("click", () => void write(true));
byId("write-cancel").addEventListener("click", closeWrite);
writeTarget.addEventListener("input", showWriteHint);

// Keys form

const keysForm = byId<HTMLFormElement>("keys-form");
const keysProfile = byId<HTMLInputElement>("keys-profile");
const keysId = byId<HTMLInputElement>("keys-access-key-id");
const keysSecret = byId<HTMLInputElement>("keys-secret");

function openKeys(profile: string): void {
  keysProfile.value = profile;
  keysProfile.readOnly = profile !== "";
  showKeysLabel();
  keysId.value = "";
  keysSecret.value = "";
  setKeysError(null);
  keysForm.hidden = false;
  (profile ? keysId : keysProfile).focus();
}

function showKeysLabel(): void {
  byId("keys-profile-label").textContent = keysProfile.value || t("main-keys-a-profile");
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
      notice(t("main-notice-keys-stored", { key: key.maskedKeyId, profile: key.profile }));
    } catch (error) {
      keysSecret.value = "";
      setKeysError(error as CommandError);
    }
    await refresh();
  })();
});
byId("keys-cancel").addEventListener("click", closeKeys);
byId("keys-add-other").addEventListener("click", () => openKeys(""));

async function rotateKeys(profile: string): Promise<void> {
  if (!window.confirm(t("main-confirm-rotate", { profile }))) return;
  const report = await act(`rotate:${profile}`, t("main-busy-rotate", { profile }), () => call("rotate_keys", { profile }));
  if (report) {
    notice([t("main-notice-rotated", { profile, old: report.oldKey, new: report.newKey }), ...report.notes].join(" "));
  }
}

async function removeKeys(profile: string): Promise<void> {
  if (!window.confirm(t("main-confirm-remove-keys", { profile }))) return;
  const removed = await act(`keys:${profile}`, t("main-busy-remove-keys", { profile }), () => call("remove_keys", { profile }));
  if (removed !== undefined) {
    notice(removed ? t("main-notice-keys-removed", { profile }) : t("main-notice-no-keys", { profile }));
  }
}

// Settings

const autostart = byId<HTMLInputElement>("autostart");
autostart.addEventListener("change", () => {
  void call("set_autostart", { enabled: autostart.checked })
    .then((s) => {
      autostart.checked = s.autostart;
      notice(s.autostart ? t("main-notice-autostart-on") : t("main-notice-autostart-off"));
    })
    .catch((error) => {
      autostart.checked = !autostart.checked;
      showError(error as CommandError);
    });
});

// The quick switcher's global key: off unless set; a key that cannot be grabbed is refused
// and the one in force stays.
const hotkeyForm = byId<HTMLFormElement>("hotkey-form");
const hotkeyInput = byId<HTMLInputElement>("hotkey");
const hotkeyError = byId("hotkey-error");
const hotkeyOff = byId<HTMLButtonElement>("hotkey-off");

function showHotkey(view: HotkeyView): void {
  hotkeyInput.value = view.hotkey ?? "";
  hotkeyOff.disabled = view.hotkey === null;
  hotkeyError.hidden = view.available;
  hotkeyError.textContent = view.available ? "" : t("main-hotkey-unavailable");
  for (const control of hotkeyForm.querySelectorAll<HTMLInputElement | HTMLButtonElement>("input, button")) {
    if (!view.available) control.disabled = true;
  }
}

function setHotkey(hotkey: string | null): void {
  hotkeyError.hidden = true;
  void call("set_switcher_hotkey", { hotkey })
    .then((view) => {
      showHotkey(view);
      notice(
        view.hotkey === null ? t("main-notice-hotkey-off") : t("main-notice-hotkey-on", { hotkey: view.hotkey }),
      );
    })
    .catch((error: unknown) => {
      const e = toCommandError(error);
      hotkeyError.textContent = e.message;
      hotkeyError.hidden = false;
    });
}

hotkeyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = hotkeyInput.value.trim();
  setHotkey(text === "" ? null : text);
});
hotkeyOff.addEventListener("click", () => setHotkey(null));
void call("get_switcher_hotkey", {})
  .then(showHotkey)
  .catch(() => showHotkey({ hotkey: null, available: false }));

// --- wiring ---------------------------------------------------------------------------------

function handleIntent(intent: Intent): void {
  if (intent.kind === "write") {
    const session = overview?.sessions.find((s) => s.id === intent.sessionId);
    if (session) openWrite(session);
    else showError({ code: "session_not_found", message: t("main-session-gone") });
  }
}

exportFormat.addEventListener("change", () => (formatChosen = true));
// The filter redraws from the overview in hand: typing asks the app nothing.
byId("profile-filter").addEventListener("input", () => {
  if (overview) renderProfiles(overview);
});
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

// Language: Auto / English / 日本語, saved by the app, which then sends every window the new
// messages (the language event) and relabels the tray.
const languageSelect = byId<HTMLSelectElement>("language");
languageSelect.addEventListener("change", () => {
  const chosen = languageSelect.value;
  void call("set_language", { language: chosen }).catch((error) => {
    languageSelect.value = languageSetting();
    showError(error as CommandError);
  });
});

/** A language change: the fixed texts are refilled by i18n.ts; the rest is drawn again. */
function redraw(): void {
  languageSelect.value = languageSetting();
  if (overview) render(overview);
  if (writingSession) showWriteHint();
  if (confirming) showConfirm(confirming);
  showKeysLabel();
  tick();
}

// The words first, so the page never shows keys or blanks for long.
void startI18n(redraw)
  .catch((error) => showError(error as CommandError))
  .then(() => {
    languageSelect.value = languageSetting();
    return refresh();
  });
