// The main window's standing notices, drawn from the overview: the credentials agent is off,
// and there is no tray host (with Quit, which is otherwise in the tray's menu). The tray-gone
// notice is every page's, so it lives in i18n.ts's start-up.
import { call, toCommandError } from "../api";
import type { Overview } from "../bindings";
import { byId } from "../dom";
import { t } from "../i18n";
import type { Page } from "./feedback";

export function mountStatusNotices(page: Page): { render(overview: Overview): void } {
  byId("quit").addEventListener("click", () => {
    call("quit", {}).catch((e) => page.showError(toCommandError(e)));
  });
  return {
    render(o: Overview): void {
      renderAgentOff(o);
      renderNoTray(o);
    },
  };
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
