/**
 * Renders the setup page's HTML from `templates/setup-*.hbs`. Handlebars escapes every
 * value, so names and messages that come from users or their ClickHouse stay inert text.
 */
import Handlebars from "handlebars";
import { loadTemplate } from "../../report/load-template.ts";

export type SetupTemplate = "setup-page" | "setup-message";

/** Compiles the setup templates once; `render(name, context)` returns a full HTML page. */
export function createSetupRenderer() {
  const hbs = Handlebars.create();
  const read = (name: string): string => loadTemplate(`${name}.hbs`);
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
