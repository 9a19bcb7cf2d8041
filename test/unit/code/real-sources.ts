import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { languageFor } from "../../../src/code/language-for.ts";

const modules = join(import.meta.dirname, "../../../node_modules");

/**
 * Real sources installed with the project (CommonJS, ESM, TypeScript and compiled output):
 * the first `limit` below `node_modules/<corpus>` in name order, `.d.ts` and files of
 * `maxBytes` or more left out.
 */
export function realSources(corpus: string, limit: number, maxBytes = 300_000): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (found.length >= limit) return;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (languageFor(path) && !path.endsWith(".d.ts") && statSync(path).size < maxBytes) {
        found.push(path);
      }
    }
  };
  walk(join(modules, corpus));
  return found;
}
