import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `templates/` of the package, found from this file rather than the working directory. */
const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

export type TemplateName = "comment.md.hbs" | "check-summary.md.hbs";

const loaded = new Map<TemplateName, string>();

/** The packaged template text (read once). */
export function loadTemplate(name: TemplateName): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(`${TEMPLATES_DIR}${name}`, "utf8");
    loaded.set(name, text);
  }
  return text;
}
