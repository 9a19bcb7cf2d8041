import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `templates/` of the package, found from this file rather than the working directory. */
const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/** A template's path inside `templates/`, e.g. `comment.md.hbs` or `messages/action-gate.hbs`. */
export type TemplateName = `${string}.hbs`;

const loaded = new Map<TemplateName, string>();

/**
 * The packaged template text (read once). Every template the code renders is read here, so
 * the Action bundle (which copies `templates/` next to itself) finds them all.
 */
export function loadTemplate(name: TemplateName): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(`${TEMPLATES_DIR}${name}`, "utf8");
    loaded.set(name, text);
  }
  return text;
}
