// The MFA dialog. It shows the request Rust is waiting on, sends back a code (or a cancel) for
// that request's id, and then waits: Rust closes the window when the request ends, or sends a
// new request (after AWS rejected the code) that this page shows with the reason.
// Its second mode asks for an approval instead of a code (`request.approval`, a profile that
// asks before a program uses it): Allow once / Always for this program / Deny.
import { call, on, windowReady } from "./api";
import type { CommandError, MfaRequestView } from "./bindings";
import { EVENTS } from "./bindings";
import { byId } from "./dom";
import { dialogHeight, normalizeMfaCode } from "./format";
import { startI18n, t } from "./i18n";

const form = byId<HTMLFormElement>("mfa-form");
const input = byId<HTMLInputElement>("mfa-code");
const submit = byId<HTMLButtonElement>("mfa-submit");
const cancel = byId<HTMLButtonElement>("mfa-cancel");
const errorLine = byId("mfa-error");
const status = byId("mfa-status");
const approval = byId("approval");
const approvalOnce = byId<HTMLButtonElement>("approval-once");
const approvalAlways = byId<HTMLButtonElement>("approval-always");
const approvalDeny = byId<HTMLButtonElement>("approval-deny");
const approvalError = byId("approval-error");

let current: MfaRequestView | null = null;
/** What the status line says, so a language change can say it again. */
let waitingFor: "checking" | "cancelling" | null = null;
/** The error line's words, to say again in a new language (null: none, or a message from the
 *  app, shown as it came). */
let errorWords: (() => string) | null = null;

function showError(message: string | null, words: typeof errorWords = null): void {
  errorWords = words;
  errorLine.textContent = message ?? "";
  errorLine.hidden = message === null;
  input.setAttribute("aria-invalid", message === null ? "false" : "true");
}

function setWaiting(waiting: boolean): void {
  input.disabled = waiting;
  submit.disabled = waiting;
  waitingFor = waiting ? "checking" : null;
  showStatus();
}

function showStatus(): void {
  status.textContent =
    waitingFor === "checking" ? t("mfa-checking") : waitingFor === "cancelling" ? t("mfa-cancelling") : "";
}

/** The error line from the catalogue, remembered so a language change re-words it. */
function showWordedError(words: () => string): void {
  showError(words(), words);
}

function reasonText(request: MfaRequestView): string {
  switch (request.reason) {
    case "noSession":
      return t("mfa-reason-no-session");
    case "sessionExpired":
      return t("mfa-reason-session-expired");
    case "differentDevice":
      return t("mfa-reason-different-device");
    case "sourceWithoutMfa":
      return t("mfa-reason-source-without-mfa");
    case "rejected":
      return t("mfa-reason-rejected");
  }
}

/** The texts that depend on the request, in the language shown. */
function showRequestTexts(request: MfaRequestView | null): void {
  // Asked for another program (through the agent): it is named, and Cancel says what it does.
  const requester = request?.requester ?? null;
  cancel.textContent = requester === null ? t("mfa-cancel") : t("mfa-deny");
  byId("mfa-requester").textContent = requester === null ? "" : t("mfa-requested-by", { program: requester });
  byId("mfa-requester").hidden = requester === null;
  if (request === null) return;
  if (request.approval !== null) {
    const ask = request.approval;
    byId("approval-program").textContent = ask.program ?? t("approval-unidentified");
    byId("approval-why").textContent =
      ask.policy === "every-time" ? t("approval-why-every-time") : t("approval-why-new-programs");
    return;
  }
  byId("mfa-reason").textContent = reasonText(request);
  byId("mfa-via").textContent = t("mfa-via", { profile: request.codeFor });
}

/** Shows the page's code mode or its approval mode. */
function showMode(asksApproval: boolean): void {
  form.hidden = asksApproval;
  approval.hidden = !asksApproval;
  byId("mfa-heading").hidden = asksApproval;
  byId("approval-heading").hidden = !asksApproval;
  for (const element of document.querySelectorAll<HTMLElement>(".code-only")) element.hidden = asksApproval;
  for (const element of document.querySelectorAll<HTMLElement>(".approval-only")) element.hidden = !asksApproval;
}

function setAnswering(answering: boolean): void {
  approvalOnce.disabled = answering;
  approvalAlways.disabled = answering;
  approvalDeny.disabled = answering;
}

function showApproval(request: MfaRequestView): void {
  current = request;
  showMode(true);
  byId("mfa-profile").textContent = request.profile;
  approvalAlways.hidden = !(request.approval?.offerAlways ?? false);
  approvalError.hidden = true;
  showRequestTexts(request);
  setAnswering(false);
  // Deny has the focus: Enter pressed by habit must not hand out a role.
  approvalDeny.focus();
}

async function approve(always: boolean): Promise<void> {
  if (!current) return;
  setAnswering(true);
  try {
    await call("answer_approval", { requestId: current.id, always });
  } catch (error) {
    setAnswering(false);
    approvalError.textContent = (error as CommandError).message;
    approvalError.hidden = false;
  }
}

function show(request: MfaRequestView): void {
  if (request.approval !== null) {
    showApproval(request);
    return;
  }
  showMode(false);
  current = request;
  byId("mfa-profile").textContent = request.profile;
  byId("mfa-device").textContent = request.mfaSerial;
  byId("mfa-via").hidden = request.codeFor === request.profile;
  showRequestTexts(request);
  setWaiting(false);
  input.value = "";
  if (request.reason === "rejected") showWordedError(() => t("mfa-rejected", { attempt: request.attempt }));
  else showError(null);
  input.focus();
}

async function send(): Promise<void> {
  if (!current) return;
  const code = normalizeMfaCode(input.value);
  if (code === null) {
    showWordedError(() => t("mfa-six-digits"));
    input.focus();
    return;
  }
  showError(null);
  setWaiting(true);
  try {
    await call("submit_mfa_code", { requestId: current.id, code });
  } catch (error) {
    setWaiting(false);
    // `call` rejects with a CommandError only (api.ts), whose code is the typed ErrorCode.
    const e = error as CommandError;
    if (e.code === "mfa_code_format") showWordedError(() => t("mfa-six-digits"));
    else showError(e.message);
    input.focus();
  }
}

async function abandon(): Promise<void> {
  if (!current) {
    window.close();
    return;
  }
  setWaiting(true);
  waitingFor = "cancelling";
  showStatus();
  await call("cancel_mfa", { requestId: current.id }).catch(() => undefined);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void send();
});
cancel.addEventListener("click", () => void abandon());
approvalOnce.addEventListener("click", () => void approve(false));
approvalAlways.addEventListener("click", () => void approve(true));
approvalDeny.addEventListener("click", () => {
  setAnswering(true);
  void abandon();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    void abandon();
  }
});
// Typing again after an error clears it.
input.addEventListener("input", () => {
  if (!errorLine.hidden && current?.reason !== "rejected") showError(null);
});

/** A language change: the page's fixed texts are refilled by i18n.ts, these by us. */
function redraw(): void {
  showRequestTexts(current);
  showStatus();
  if (errorWords) showWordedError(errorWords);
}

/** The window takes its content's height (Rust sets it and centres the dialog again): texts
 *  differ in length by language and request, so a fixed size leaves a blank band or cuts the
 *  buttons off. The body is measured whenever its size changes: drawn, re-worded, an error line. */
let fittedHeight: number | null = null;
function fitToContent(): void {
  const height = dialogHeight(document.body.getBoundingClientRect().height, fittedHeight);
  if (height === null) return;
  fittedHeight = height;
  void call("fit_mfa_dialog", { height }).catch(() => {
    // The window keeps its first size: usable, only not snug. Try again on the next change.
    fittedHeight = null;
  });
}
new ResizeObserver(fitToContent).observe(document.body);

void on<MfaRequestView>(EVENTS.mfaRequest, show);
// The words first, so the question never shows with blank labels.
void startI18n(redraw)
  .catch(() => undefined)
  .then(() => call("mfa_request", {}))
  .then((request) => {
    if (request) {
      show(request);
    } else {
      showWordedError(() => t("mfa-none"));
      setWaiting(true);
    }
  })
  .catch((error: unknown) => {
    // The tray is gone or refused: say so rather than show an empty question.
    showError((error as CommandError).message);
    setWaiting(true);
  })
  // Sized to its question (a hidden page is laid out at the window's size), then on screen with
  // it drawn and the field focused.
  .finally(() => {
    fitToContent();
    void windowReady();
  });
