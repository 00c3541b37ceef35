// Three pages, three windows: index.html is the main window, mfa.html the MFA dialog,
// switcher.html the quick switcher. The output
// (ui/dist) is what tauri.conf.json's build.frontendDist embeds into the binary.
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: __dirname,
  // Tauri serves the files itself; no dev server URL is configured (see README in ui/).
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ / WebView2 / WKWebView all run ES2022.
    target: "es2022",
    // No inline polyfill script: the CSP allows scripts from the app only.
    modulePreload: { polyfill: false },
    // Readable stack traces in bug reports cost little in a local app.
    sourcemap: false,
    rollupOptions: {
      input: {
        main: resolve(__dirname, "index.html"),
        mfa: resolve(__dirname, "mfa.html"),
        switcher: resolve(__dirname, "switcher.html"),
      },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
