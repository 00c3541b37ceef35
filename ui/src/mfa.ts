// The MFA dialog. It shows the request Rust is waiting on, sends back a code (or a cancel) for
// that request's id, and then waits: Rust closes the window when the request ends, or sends a
// new request (after AWS rejected the code) that this page shows with the reason.
import { call, on } from "./api";
import type { MfaRequestView } from "./bindings";
import { EVENTS } from "./bindings";
import { byId } from "./dom";
import { normalizeMfaCode } from "./format";

const form = byId<HTMLFormElement>("mfa-form");
const input = byId<HTMLInputElement>("mfa-code");
const submit = byId<HTMLButtonElement>("mfa-submit");
const cancel = byId<HTMLButtonElement>("mfa-cancel");
const errorLine = byId("mfa-error");
const status = byId("mfa-status");

let current: MfaRequestView | null = null;

function showError(message: string | null): void {
  errorLine.textContent = message ?? "";
  errorLine.hidden = message === null;
  input.setAttribute("aria-invalid", message === null ? "false" : "true");
}

function setWaiting(waiting: boolean): void {
  input.disabled = waiting;
  submit.disabled = waiting;
  status.textContent = waiting ? "Checking the code with AWS…" : "";
}

function show(request: MfaRequestView): void {
  current = request;
  byId("mfa-profile").textContent = request.profile;
  byId("mfa-device").textContent = request.mfaSerial;
  byId("mfa-reason").textContent = request.reasonText;
  const via = byId("mfa-via");
  via.hidden = request.codeFor === request.profile;
  via.textContent = `The code starts an MFA session for ${request.codeFor}; roles using the same device reuse it.`;
  setWaiting(false);
  input.value = "";
  showError(
    request.reason === "rejected"
      ? `AWS rejected that code. Wait for the next code and enter it (attempt ${request.attempt}).`
      : null,
  );
  input.focus();
}

async function send(): Promise<void> {
  if (!current) return;
  const code = normalizeMfaCode(input.value);
  if (code === null) {
    showError("Enter the 6 digits your authenticator shows.");
    input.focus();
    return;
  }
  showError(null);
  setWaiting(true);
  try {
    await call("submit_mfa_code", { requestId: current.id, code });
  } catch (error) {
    setWaiting(false);
    const e = error as { code: string; message: string };
    showError(e.code === "mfa_code_format" ? "Enter the 6 digits your authenticator shows." : e.message);
    input.focus();
  }
}

async function abandon(): Promise<void> {
  if (!current) {
    window.close();
    return;
  }
  setWaiting(true);
  status.textContent = "Cancelling…";
  await call("cancel_mfa", { requestId: current.id }).catch(() => undefined);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void send();
});
cancel.addEventListener("click", () => void abandon());
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

void on<MfaRequestView>(EVENTS.mfaRequest, show);
void call("mfa_request", {}).then((request) => {
  if (request) {
    show(request);
  } else {
    showError("No MFA code is being asked for.");
    setWaiting(true);
  }
});
