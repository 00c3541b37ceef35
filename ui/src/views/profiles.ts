// The profiles list in the tray's order (live, recent, favourites, the rest) with its filter box,
// each row's actions (assume, console, auto-refresh, pin), the sections Rolebar wrote to the
// credentials file (counting down, with Log out), and the config's load error.
import { call } from "../api";
import type { CommandError, ExpiryView, Overview, ProfileView } from "../bindings";
import { byId, cell, h } from "../dom";
import { kindLabel, writtenInfo } from "../format";
import { language, t } from "../i18n";
import { matchesFilter, orderProfiles } from "../order";
import type { Page } from "./feedback";
import { consoleButton, logOut } from "./profile-actions";

export interface Profiles {
  render(overview: Overview): void;
  /** Redraws the written sections' time left for `now` (ms). */
  tick(now: number): void;
}

/** `showExpiry` shows the expiry view an auto-refresh change answers with (expiry-warnings.ts). */
export function mountProfiles(page: Page, showExpiry: (expiry: ExpiryView) => void): Profiles {
  /** The overview last drawn: the filter redraws from it, so typing asks the app nothing. */
  let shown: Overview | null = null;

  async function assume(profile: string): Promise<void> {
    const session = await page.act(`assume:${profile}`, t("main-busy-assume", { profile }), () =>
      call("assume_profile", { profile }),
    );
    if (session) {
      const time = new Date(session.expiresAt).toLocaleTimeString(language());
      page.notice(t("main-notice-session-until", { profile: session.profile, time }));
    }
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
      page.showError(e as CommandError);
    }
    await page.refresh();
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
          page.notice(
            enabled
              ? t("main-notice-auto-refresh-on", { profile })
              : t("main-notice-auto-refresh-off", { profile }),
          );
        })
        .catch((error) => {
          box.checked = !enabled;
          page.showError(error as CommandError);
        });
    });
    return h(
      "label",
      { class: "check", title: t("main-auto-refresh-title") },
      box,
      ` ${t("main-auto-refresh")}`,
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
        h("button", { type: "button", "data-testid": "written-log-out", "data-profile": p.name, title: t("main-written-log-out-title"), onclick: () => void logOut(page, p.name) }, t("main-log-out")),
      ),
    );
  }

  function render(o: Overview): void {
    shown = o;
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
                  consoleButton(page, p.name),
                  autoRefreshToggle(p.name, o.expiry),
                  favouriteButton(p.name, o.favourites.includes(p.name)),
                )
              : h("span", { class: "problem", "data-testid": "profile-problem", title: p.problem?.code ?? "" }, p.problem?.message ?? ""),
          ),
        );
      }),
    );
  }

  byId("profile-filter").addEventListener("input", () => {
    if (shown) render(shown);
  });

  return {
    render,
    tick(now: number): void {
      for (const el of document.querySelectorAll<HTMLElement>("[data-written-profile]")) {
        const written = shown?.profiles.find((p) => p.name === el.dataset.writtenProfile)?.written;
        if (written) el.textContent = writtenInfo(written, now);
      }
    },
  };
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
