// What every view of the main window answers with: the error banner, the success notice (gone
// after 6 s), the busy line, and `act`, which runs one action between them and then re-reads
// the overview. The views get these as a `Page` argument; none of them imports another's state.
import type { CommandError } from "../bindings";
import { byId } from "../dom";

export interface Page {
  showError(error: CommandError): void;
  clearError(): void;
  notice(text: string): void;
  /** Shows the busy line while any key is on (several actions may run at once). */
  setBusy(key: string, on: boolean, text?: string): void;
  /** Runs an action with the busy line shown and errors sent to the banner, then refreshes. */
  act<T>(key: string, text: string, action: () => Promise<T>): Promise<T | undefined>;
  /** Reads the overview again and redraws the page from it. */
  refresh(): Promise<void>;
}

/** The banner, notice and busy line, wired to the page; `refresh` is the page's own. */
export function mountFeedback(refresh: () => Promise<void>): Page {
  let noticeTimer: number | undefined;
  const busy = new Set<string>();

  function showError(error: CommandError): void {
    byId("banner-text").textContent = error.message;
    byId("banner-code").textContent = error.code;
    byId("banner").hidden = false;
  }

  function clearError(): void {
    byId("banner").hidden = true;
  }

  function notice(text: string): void {
    const el = byId("notice");
    el.textContent = text;
    el.hidden = false;
    window.clearTimeout(noticeTimer);
    noticeTimer = window.setTimeout(() => (el.hidden = true), 6000);
  }

  function setBusy(key: string, on: boolean, text?: string): void {
    if (on) busy.add(key);
    else busy.delete(key);
    const el = byId("busy");
    el.hidden = busy.size === 0;
    if (text && on) el.textContent = text;
    if (busy.size === 0) el.textContent = "";
  }

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

  byId("banner-close").addEventListener("click", clearError);
  return { showError, clearError, notice, setBusy, act, refresh };
}
