// The write form: a session's credentials written to a profile of the credentials file, with the
// override asked for the two refusals a user may overrule. It sits outside the re-rendered
// tables so typing is never lost to a refresh; the tray opens it through `#write=<session id>`.
import { call } from "../api";
import type { CommandError, ErrorCode, Intent, SessionView } from "../bindings";
import { byId } from "../dom";
import { suggestTarget } from "../format";
import { t } from "../i18n";
import type { Page } from "./feedback";

export interface WriteForm {
  open(session: SessionView): void;
  /** What the tray asked (`#write=…` or the intent event), against the sessions there are. */
  openIntent(intent: Intent, sessions: SessionView[]): void;
  /** Closes the form when its session is no longer live. */
  keepIfLive(sessions: SessionView[]): void;
  /** Says the hint and the confirmation again in the language now shown. */
  redraw(): void;
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

export function mountWriteForm(page: Page): WriteForm {
  let writingSession: SessionView | null = null;
  /** The refusal the confirmation answers, to re-word it after a language change. */
  let confirming: ErrorCode | null = null;

  const writeForm = byId<HTMLFormElement>("write-form");
  const writeTarget = byId<HTMLInputElement>("write-target");

  function open(session: SessionView): void {
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
      page.notice(`${wrote}${extras.length ? ` (${extras.join("; ")})` : ""}`);
    } catch (error) {
      const e = error as CommandError;
      setWriteError(e);
      // Only these guard rails can be overridden: the user confirms writing into a section that
      // Rolebar did not write (its credential keys replaced, its other lines kept).
      showConfirm(e.code);
    }
    await page.refresh();
  }

  writeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void write(false);
  });
  byId("write-force").addEventListener("click", () => void write(true));
  byId("write-cancel").addEventListener("click", closeWrite);
  writeTarget.addEventListener("input", showWriteHint);

  return {
    open,
    openIntent(intent: Intent, sessions: SessionView[]): void {
      if (intent.kind === "write") {
        const session = sessions.find((s) => s.id === intent.sessionId);
        if (session) open(session);
        else page.showError({ code: "session_not_found", message: t("main-session-gone") });
      }
    },
    keepIfLive(sessions: SessionView[]): void {
      if (writingSession && !sessions.some((s) => s.id === writingSession?.id)) closeWrite();
    },
    redraw(): void {
      if (writingSession) showWriteHint();
      if (confirming) showConfirm(confirming);
    },
  };
}
