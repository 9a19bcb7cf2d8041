/**
 * The one Handlebars environment for reports, with every helper registered here.
 * Templates receive a `ReportView` whose strings are already escaped, so compilation uses
 * `noEscape`: HTML-escaping Markdown a second time would garble it.
 */
import Handlebars from "handlebars";

export type ReportTemplate = (view: unknown) => string;

const env = Handlebars.create();

env.registerHelper("eq", (a: unknown, b: unknown) => a === b);
env.registerHelper("gt", (a: unknown, b: unknown) => Number(a) > Number(b));
env.registerHelper("plural", (count: unknown, one: unknown, many: unknown) =>
  Number(count) === 1 ? String(one) : String(many),
);
/** A code block whose fence no backtick run inside `text` can close. */
env.registerHelper("fenced", (text: unknown) => {
  const body = String(text);
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${body}\n${fence}`;
});

const cache = new Map<string, ReportTemplate>();

/** Compiles (and caches) a report template. */
export function compileTemplate(source: string): ReportTemplate {
  let template = cache.get(source);
  if (!template) {
    const compiled = env.compile(source, { noEscape: true });
    template = (view: unknown) => compiled(view);
    cache.set(source, template);
  }
  return template;
}
