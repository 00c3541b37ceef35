// The front end's layers, read from the sources: the shared modules (api, i18n, dom, format, …)
// import only each other; the main window's views (views/) import those and other views; a page
// (a script an .html file loads: main.ts, mfa.ts, switcher.ts) imports anything below it and
// nothing imports a page. And no import cycle anywhere, so each view can be read bottom-up.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = __dirname;
const UI = resolve(SRC, "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The relative imports of `text` (`import … from "./x"`, `export … from "../x"`, `import "./x"`). */
function importsIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s(?:[^;"]*?\sfrom\s)?\s*"(\.{1,2}\/[^"]+)"/gm)) {
    if (match[1]) found.push(match[1]);
  }
  return found;
}

function resolveImport(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${relative(UI, from)} imports ${specifier}, which is not a .ts file here`);
}

const files = sources(SRC);
const graph = new Map(
  files.map((file) => [file, importsIn(readFileSync(file, "utf8")).map((s) => resolveImport(file, s))]),
);
const name = (file: string): string => relative(SRC, file);

/** The scripts the three pages load (`<script type="module" src="/src/main.ts">`). */
const pages = new Set(
  ["index.html", "mfa.html", "switcher.html"].flatMap((html) =>
    [...readFileSync(join(UI, html), "utf8").matchAll(/<script[^>]*\ssrc="\/src\/([^"]+)"/g)].map((m) =>
      join(SRC, m[1] ?? ""),
    ),
  ),
);

function layer(file: string): number {
  if (pages.has(file)) return 2;
  return name(file).startsWith("views/") ? 1 : 0;
}

/** A cycle in the import graph as `a.ts → b.ts → a.ts`, or null. */
function findCycle(edges: Map<string, string[]>): string | null {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string | null => {
    const at = path.indexOf(file);
    if (at >= 0) return [...path.slice(at), file].map(name).join(" → ");
    if (done.has(file)) return null;
    path.push(file);
    for (const next of edges.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(file);
    return null;
  };
  for (const file of edges.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

describe("module layers", () => {
  it("reads the imports of every form used here", () => {
    const text = 'import { a } from "./a";\nimport type {\n  B,\n} from "../b";\nexport { c } from "./c";\nimport "./d";\nconst e = "./e";\n';
    expect(importsIn(text)).toEqual(["./a", "../b", "./c", "./d"]);
    expect(pages).toEqual(new Set(["main.ts", "mfa.ts", "switcher.ts"].map((f) => join(SRC, f))));
    expect(graph.get(join(SRC, "main.ts"))?.length).toBeGreaterThan(5);
  });

  it("has no import cycle", () => {
    expect(findCycle(graph)).toBeNull();
    // The check itself finds one.
    const a = join(SRC, "a.ts");
    const b = join(SRC, "b.ts");
    expect(findCycle(new Map([[a, [b]], [b, [a]]]))).toBe("a.ts → b.ts → a.ts");
  });

  it("imports only downwards: shared modules ← views ← pages", () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => !file.endsWith(".test.ts") && (layer(target) > layer(file) || layer(target) === 2))
        .map((target) => `${name(file)} imports ${name(target)}`),
    );
    expect(upward).toEqual([]);
  });

  it("keeps each view's state in the view: no module-level let or var in views/", () => {
    const shared = files
      .filter((file) => name(file).startsWith("views/"))
      .flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => /^(?:export\s+)?(?:let|var)\s/.test(line))
          .map((line) => `${name(file)}: ${line}`),
      );
    expect(shared).toEqual([]);
  });
});
