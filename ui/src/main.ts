// The main window's start-up and wiring. State lives in Rust; this page re-reads the overview on
// start, after each action, and when Rust says something changed, and hands each view (one
// module per part of the page, in views/) the part it draws. Each view keeps its own state and
// gets what it needs from the others as arguments; forms sit outside the re-rendered tables so
// typing is never lost to a refresh.
import { call, on, windowReady } from "./api";
import type { CommandError, Intent, Overview } from "./bindings";
import { EVENTS } from "./bindings";
import { parseIntent } from "./format";
import { startI18n } from "./i18n";
import { mountApprovals } from "./views/approvals";
import { mountActivity } from "./views/activity";
import { mountAwsVaultImport } from "./views/aws-vault-import";
import { mountExpiryWarnings } from "./views/expiry-warnings";
import { mountFeedback } from "./views/feedback";
import { mountHeader } from "./views/header";
import { mountKeys } from "./views/keys";
import { mountProfiles } from "./views/profiles";
import { mountSessions } from "./views/sessions";
import { mountSettings } from "./views/settings";
import { mountSignIns } from "./views/sign-ins";
import { mountSsoAccounts } from "./views/sso-accounts";
import { mountStatusNotices } from "./views/status-notices";
import { mountWriteForm } from "./views/write-form";

function start(): void {
  /** The overview last read: what a language change redraws and an intent is checked against. */
  let overview: Overview | null = null;
  /** What the tray asked this window to do, done after the next overview is read. */
  let pendingIntent: Intent | null = parseIntent(window.location.hash);

  const page = mountFeedback(refresh);
  const header = mountHeader(page);
  const statusNotices = mountStatusNotices(page);
  const awsVaultImport = mountAwsVaultImport(page);
  const expiryWarnings = mountExpiryWarnings(page, tick);
  const writeForm = mountWriteForm(page);
  const sessions = mountSessions(page, {
    openWrite: (session) => writeForm.open(session),
    expiringWithin: () => expiryWarnings.expiringWithin(),
  });
  const profiles = mountProfiles(page, (expiry) => expiryWarnings.show(expiry));
  const ssoAccounts = mountSsoAccounts(page);
  const signIns = mountSignIns(page, (name) => ssoAccounts.browse(name));
  const keys = mountKeys(page);
  const settings = mountSettings(page);
  const approvals = mountApprovals(page);
  const activity = mountActivity(page);

  async function refresh(): Promise<void> {
    try {
      overview = await call("get_overview", {});
    } catch (error) {
      page.showError(error as CommandError);
      return;
    }
    sessions.useDefaultFormat(overview);
    render(overview);
    approvals.refresh();
    // The activity log, when its section is open (a hand-out changes what it lists).
    void activity.refresh();
    if (pendingIntent) {
      const intent = pendingIntent;
      pendingIntent = null;
      writeForm.openIntent(intent, overview.sessions);
    }
  }

  /** Everything drawn from the overview (again after a language change). */
  function render(o: Overview): void {
    header.render(o);
    expiryWarnings.render(o);
    statusNotices.render(o);
    awsVaultImport.render(o);
    sessions.render(o.sessions);
    writeForm.keepIfLive(o.sessions);
    profiles.render(o);
    signIns.render(o.signIns);
    keys.render(o);
  }

  /** The countdowns: text only, once a second, from each row's expiry. */
  function tick(): void {
    const now = Date.now();
    sessions.tick(now);
    profiles.tick(now);
  }

  /** A language change: the fixed texts are refilled by i18n.ts; the rest is drawn again. */
  function redraw(): void {
    settings.showLanguage();
    if (overview) render(overview);
    writeForm.redraw();
    keys.redraw();
    approvals.refresh();
    activity.redraw();
    tick();
  }

  window.setInterval(tick, 1000);
  void on(EVENTS.changed, () => void refresh());
  void on<Intent>(EVENTS.intent, (intent) => {
    pendingIntent = intent;
    void refresh();
  });

  // The words first, so the page never shows keys or blanks for long.
  void startI18n(redraw)
    .catch((error) => page.showError(error as CommandError))
    .then(() => {
      settings.showLanguage();
      void windowReady();
      return refresh();
    });
}

start();
