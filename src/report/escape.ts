/**
 * Escaping for strings that came from telemetry or git before they reach Markdown.
 * Threats: Markdown/HTML injection (`</details><script>`), `@mention` and `#123` pings,
 * broken tables (pipes, newlines), escaping code fences, and secrets or personal data in
 * exception messages (redacted first). Every helper returns text safe in its context.
 */
import { redactText } from "../scenarios/redact.ts";

/** Zero-width joiner: breaks `@user` and `#123` autolinks without changing what people read. */
const ZWJ = "\u200D";

/** Redaction is regex-heavy and fitting a comment renders it several times: memoise. */
const redacted = new Map<string, string>();
const REDACTED_CACHE_LIMIT = 20_000;

/** Telemetry text is redacted before it is shown, even if the store redacted it already. */
export function redact(text: string): string {
  let out = redacted.get(text);
  if (out === undefined) {
    out = redactText(text);
    if (redacted.size >= REDACTED_CACHE_LIMIT) redacted.clear();
    redacted.set(text, out);
  }
  return out;
}

/** Defuses mentions (`@user`, `@org/team`), issue references (`#12`, `GH-12`) and emoji-free pings. */
export function defusePings(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWJ}`)
    .replace(/#(?=\d)/g, `#${ZWJ}`)
    .replace(/\bGH-(?=\d)/gi, (m) => `${m.slice(0, 2)}${ZWJ}-`);
}

/**
 * HTML comments are where hidden markers live (`<!-- faultline:report -->`): a planted copy
 * must not make another comment look like Faultline's, even inside code.
 */
export const defuseMarkers = (text: string): string => text.replace(/<!--/g, `<${ZWJ}!--`);

/** Bidirectional overrides and isolates: they make text read differently from what it is. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/** One line: newlines and control characters become spaces; long text is cut with an ellipsis. */
export function oneLine(text: string, max = 200): string {
  // Cut first: a megabyte-long exception message should not be scanned whole.
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const flat = head
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
    .replace(BIDI, "")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** For HTML contexts (`<summary>`, attributes). */
export function escapeHtml(text: string): string {
  return defusePings(oneLine(text)).replace(/[&<>"]/g, (c) => HTML[c] ?? c);
}

/**
 * Plain prose in Markdown, safe inside a table cell: one line, HTML entities, Markdown
 * punctuation backslash-escaped (so `[x](javascript:…)`, `**`, `|` and backticks are literal;
 * parentheses and `!` are harmless once brackets are escaped).
 */
export function escapeMarkdown(text: string, max = 200): string {
  return defusePings(oneLine(text, max))
    .replace(/[&<>]/g, (c) => HTML[c] ?? c)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/^([#+\-=>])/, "\\$1")
    .replace(/^(\d+)([.)])(?=\s)/, "$1\\$2");
}

/**
 * An inline code span that cannot be broken out of: the fence is longer than any run of
 * backticks inside. In table cells pipes must still be escaped (GFM splits cells first).
 */
export function codeSpan(text: string, options: { table?: boolean; max?: number } = {}): string {
  let body = defuseMarkers(oneLine(text, options.max ?? 200));
  if (body.length === 0) return "";
  if (options.table) body = body.replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = body.startsWith("`") || body.endsWith("`") || longest > 0 ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * A fenced code block whose fence is longer than any backtick run in the text, so a
 * stack trace containing ``` cannot close it. Lines (count and length) are capped to keep
 * comments small.
 */
export function codeBlock(text: string, language = "", maxLines = 30, maxLineLength = 300): string {
  const lines = text
    .slice(0, maxLines * maxLineLength * 2)
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => (line.length > maxLineLength ? `${line.slice(0, maxLineLength - 1)}…` : line));
  const kept = lines.length > maxLines ? [...lines.slice(0, maxLines), "…"] : lines;
  const body = defuseMarkers(kept.join("\n"))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters could confuse terminals and renderers
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ")
    .replace(BIDI, "");
  const longest = Math.max(2, ...(body.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${body}\n${fence}`;
}

/** Only http(s) URLs, with characters that could end a Markdown link percent-encoded; else null. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  return parsed.href.replace(
    /[()<>"'\s|`[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** Telemetry prose: redacted, then escaped as Markdown. */
export const telemetryText = (text: string, max = 200): string => escapeMarkdown(redact(text), max);

/** Telemetry code-ish text (exception types, span names): redacted, in a code span. */
export const telemetryCode = (text: string, options: { table?: boolean; max?: number } = {}) =>
  codeSpan(redact(text), options);
