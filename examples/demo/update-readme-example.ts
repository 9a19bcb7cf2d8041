/**
 * Copies the comment of the last `npm run demo` into the README's example, abridged: stack
 * traces keep their first frames, scenario files their test cases, and headings move down
 * two levels (so the README's outline stays its own). Everything else stays verbatim, so
 * the README shows what Faultline really wrote.
 *
 *   npm run demo && npx tsx examples/demo/update-readme-example.ts [faultline-demo/report.md]
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const START = "<!-- demo-example:start -->";
const END = "<!-- demo-example:end -->";
const STACK_FRAMES_KEPT = 4;

export function abridgeComment(markdown: string): string {
  const out: string[] = [];
  let fence: "stack" | "code" | null = null;
  let kept = 0;
  let code: string[] = [];
  for (const line of markdown.split("\n")) {
    if (line.startsWith("<!-- faultline:")) continue; // the hidden marker
    if (fence === null && line.startsWith("```text")) {
      fence = "stack";
      kept = 0;
      out.push(line);
    } else if (fence === null && line.startsWith("```js")) {
      fence = "code";
      code = [];
      out.push(line);
    } else if (fence !== null && line.startsWith("```")) {
      if (fence === "stack") out.push("    …");
      else {
        const at = code.findIndex((l) => l.startsWith("describe("));
        out.push("// … generated header and helpers …", ...code.slice(Math.max(0, at)));
      }
      out.push(line);
      fence = null;
    } else if (fence === "stack") {
      if (kept++ < STACK_FRAMES_KEPT + 1) out.push(line);
    } else if (fence === "code") {
      code.push(line);
    } else {
      out.push(/^#{1,4} /.test(line) ? `##${line}` : line);
    }
  }
  return out.join("\n").trim();
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  const readme = new URL("../../README.md", import.meta.url);
  const report = process.argv[2] ?? "faultline-demo/report.md";
  const text = await readFile(readme, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) {
    throw new Error(`README.md has no ${START} … ${END} block`);
  }
  const example = abridgeComment(await readFile(report, "utf8"));
  await writeFile(
    readme,
    `${text.slice(0, start + START.length)}\n\n${example}\n\n${text.slice(end)}`,
  );
  process.stdout.write(`README example updated from ${report}\n`);
}
