// The quick switcher. Each keystroke asks Rust for the matches (answered from memory); the list
// keeps the highlighted profile when it can. Enter / Shift+Enter hand the choice to Rust, which
// closes this window and assumes (the MFA dialog asks for a code when one is needed).
import { call, windowReady } from "./api";
import type { SwitcherHit, SwitcherResults } from "./bindings";
import { byId, h } from "./dom";
import { startI18n, t } from "./i18n";
import { keepSelection, step } from "./switcher-keys";

const query = byId<HTMLInputElement>("switcher-query");
const list = byId<HTMLUListElement>("switcher-list");
const none = byId("switcher-none");
const count = byId("switcher-count");

let results: SwitcherResults = { hits: [], searched: 0 };
let selected = 0;
/** Replies can come back out of order: only the newest search's is shown. */
let asked = 0;
let closing = false;

async function search(): Promise<void> {
  const ticket = ++asked;
  const text = query.value;
  const found = await call("search_profiles", { query: text });
  if (ticket !== asked) return;
  const previous = results.hits[selected]?.name ?? null;
  results = found;
  selected = keepSelection(
    previous,
    found.hits.map((hit) => hit.name),
  );
  render();
}

function render(): void {
  list.replaceChildren(...results.hits.map((hit, i) => row(hit, i)));
  const text = query.value.trim();
  none.hidden = results.hits.length > 0;
  none.textContent = results.searched === 0 ? t("switcher-empty") : t("switcher-none", { query: text });
  count.textContent =
    results.searched === 0 ? "" : t("switcher-count", { shown: results.hits.length, searched: results.searched });
  const current = list.children[selected];
  if (current) {
    query.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  } else {
    query.removeAttribute("aria-activedescendant");
  }
}

function row(hit: SwitcherHit, i: number): HTMLLIElement {
  const name = h(
    "span",
    { class: "name" },
    hit.nameRuns.map((run) => (run.matched ? h("mark", {}, run.text) : run.text)),
  );
  const facts = [hit.account, hit.role, hit.region].filter((f): f is string => f !== null && f !== "");
  const badges = [
    hit.live ? h("span", { class: "badge" }, t("switcher-live")) : null,
    hit.recent ? h("span", { class: "tag" }, t("switcher-recent")) : null,
    hit.favourite ? h("span", { class: "tag" }, t("switcher-favourite")) : null,
  ];
  return h(
    "li",
    {
      id: `hit-${i}`,
      role: "option",
      "aria-selected": i === selected ? "true" : "false",
      "data-testid": "switcher-hit",
      "data-profile": hit.name,
      onmousemove: () => {
        if (selected !== i) {
          selected = i;
          render();
        }
      },
      onclick: (event: Event) => choose(i, (event as MouseEvent).shiftKey ? "copyExports" : "assume"),
    },
    h("div", { class: "line" }, name, ...badges),
    facts.length > 0 ? h("div", { class: "sub" }, facts.join(" · ")) : null,
  );
}

function choose(index: number, choice: "assume" | "copyExports"): void {
  const hit = results.hits[index];
  if (!hit || closing) return;
  closing = true;
  call("choose_profile", { profile: hit.name, choice }).catch((error: unknown) => {
    closing = false;
    none.hidden = false;
    none.textContent = error instanceof Object && "message" in error ? String(error.message) : String(error);
  });
}

function close(): void {
  if (closing) return;
  closing = true;
  void call("close_switcher", {});
}

document.addEventListener("keydown", (event) => {
  const next = step(event, selected, results.hits.length);
  switch (next.kind) {
    case "select":
      event.preventDefault();
      selected = next.index;
      render();
      break;
    case "choose":
      event.preventDefault();
      choose(next.index, next.choice);
      break;
    case "close":
      event.preventDefault();
      close();
      break;
    case "type":
      break;
  }
});

query.addEventListener("input", () => {
  void search();
});

// Like a launcher: clicking elsewhere closes it. Only once it has had the focus, so a window
// manager's late focus dance at creation cannot close it.
let focused = false;
window.addEventListener("focus", () => {
  focused = true;
  reportShown();
});
window.addEventListener("blur", () => {
  if (focused) close();
});

let reported = false;
function reportShown(): void {
  if (reported || !document.hasFocus()) return;
  reported = true;
  focused = true;
  void call("switcher_shown", {});
}

// The field takes keys from the moment the window is shown, before the words and the first list
// arrive: what is typed meanwhile is searched when they do.
void windowReady();
query.focus();
reportShown();
void startI18n(render).then(async () => {
  await search();
});
