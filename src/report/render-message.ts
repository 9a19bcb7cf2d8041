/**
 * Short user-visible messages (the Action's gate, skip, fetch and progress messages, the
 * App's check-run titles and summaries, the report's notices and annotations) rendered from
 * `templates/messages/<family>.hbs`. Each family template picks its sentence by `kind`; the
 * code decides which kind applies.
 */
import { compileTemplate } from "./handlebars-env.ts";
import { loadTemplate } from "./load-template.ts";

export type MessageFamily =
  | "action-fetch"
  | "action-gate"
  | "action-inputs"
  | "action-run"
  | "app-run"
  | "check-run-title"
  | "check-run-summary"
  | "report-annotation"
  | "report-notice"
  | "report-shortened";

/**
 * Renders one message. Output is plain text or Markdown (not HTML-escaped), trimmed of the
 * blank lines the template's `{{#if}}` blocks leave around it. Throws for a kind the
 * template does not word.
 * @example renderMessage("action-gate", { kind: "below", risk: "low risk (score 3/100)", failOn: "high" })
 */
export function renderMessage(
  family: MessageFamily,
  view: { kind: string } & Record<string, unknown>,
): string {
  const text = compileTemplate(loadTemplate(`messages/${family}.hbs`))(view).trim();
  // A misspelt kind would otherwise publish an empty title or failure message.
  if (!text) throw new Error(`templates/messages/${family}.hbs has no message "${view.kind}"`);
  return text;
}
