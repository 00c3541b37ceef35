// The header: the two AWS files in use (short, the full paths as the tooltip) and Refresh. Its
// other controls (start at login, language) are settings (settings.ts).
import type { Overview } from "../bindings";
import { byId } from "../dom";
import { pathsLine } from "../format";
import type { Page } from "./feedback";

export function mountHeader(page: Page): { render(overview: Overview): void } {
  byId("refresh").addEventListener("click", () => void page.refresh());
  return {
    render(overview: Overview): void {
      const paths = pathsLine(overview);
      byId("paths").textContent = paths.text;
      byId("paths").title = paths.title;
    },
  };
}
