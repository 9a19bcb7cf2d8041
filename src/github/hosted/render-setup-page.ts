/**
 * Renders the setup page's HTML from `templates/setup-*.hbs`. Handlebars escapes every
 * value, so names and messages that come from users or their ClickHouse stay inert text.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

export type SetupTemplate = "setup-page" | "setup-message";

const defaultDir = fileURLToPath(new URL("../../../templates/", import.meta.url));

/** Compiles the setup templates once; `render(name, context)` returns a full HTML page. */
export function createSetupRenderer(templatesDir: string = defaultDir) {
  const hbs = Handlebars.create();
  const read = (name: string): string => readFileSync(`${templatesDir}/${name}.hbs`, "utf8");
  hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hbs.registerPartial("setup-layout", read("setup-layout"));
  hbs.registerPartial("setup-check", read("setup-check"));
  const compiled = new Map<SetupTemplate, Handlebars.TemplateDelegate>();
  for (const name of ["setup-page", "setup-message"] as const) {
    compiled.set(name, hbs.compile(read(name), { strict: false }));
  }
  return {
    render(name: SetupTemplate, context: Record<string, unknown>): string {
      const template = compiled.get(name);
      if (!template) throw new Error(`unknown setup template ${name}`);
      return template(context);
    },
  };
}

export type SetupRenderer = ReturnType<typeof createSetupRenderer>;
