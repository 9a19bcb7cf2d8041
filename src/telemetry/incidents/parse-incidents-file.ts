/**
 * Reads incidents exported from an incident tool: a JSON array (or `{ "incidents": [...] }`)
 * or CSV with a header row. Each bad row is reported with its line number; good rows are kept.
 */
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";

/** One imported incident, validated. */
export interface ImportedIncident {
  id: string;
  title: string;
  severity: string;
  startedAt: Date;
  resolvedAt: Date | null;
  service: string | null;
  /** `path/to/file.ts#Qualified.name`, or a whole file `path/to/file.ts`. */
  functions: string[];
  /** Exception stack fingerprints as Faultline shows them (16 hex digits). */
  fingerprints: string[];
  url: string | null;
}

export interface IncidentRowError {
  line: number;
  message: string;
}

export interface ParsedIncidents {
  incidents: ImportedIncident[];
  errors: IncidentRowError[];
}

const date = z
  .string()
  .trim()
  .min(1)
  .refine(
    (s) => !Number.isNaN(Date.parse(s)),
    "not a date (use ISO 8601, e.g. 2026-03-01T14:05:00Z)",
  )
  .transform((s) => new Date(s));

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) =>
    (Array.isArray(v) ? v : v.split(/[;|\n]/)).map((s) => s.trim()).filter((s) => s !== ""),
  );

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s === undefined || s === "" ? null : s));

const incidentSchema = z
  .object({
    id: z.union([z.string().trim().min(1), z.number().transform(String)]),
    title: z.string().trim().min(1),
    severity: z.string().trim().default("unknown"),
    startedAt: date,
    resolvedAt: z
      .union([date, z.literal(""), z.null()])
      .optional()
      .transform((d) => (d instanceof Date ? d : null)),
    service: optionalText,
    functions: list.default([]),
    fingerprints: list.default([]),
    url: optionalText.refine((u) => u === null || /^https?:\/\/\S+$/.test(u), "not an http(s) URL"),
  })
  .refine((i) => i.resolvedAt === null || i.resolvedAt >= i.startedAt, {
    message: "resolvedAt is before startedAt",
    path: ["resolvedAt"],
  });

/** Accepted spellings of each field (incident tools export snake_case or other names). */
const ALIASES: Record<string, string> = {
  id: "id",
  incident_id: "id",
  title: "title",
  name: "title",
  summary: "title",
  severity: "severity",
  sev: "severity",
  priority: "severity",
  startedat: "startedAt",
  started_at: "startedAt",
  started: "startedAt",
  start: "startedAt",
  created_at: "startedAt",
  resolvedat: "resolvedAt",
  resolved_at: "resolvedAt",
  resolved: "resolvedAt",
  end: "resolvedAt",
  service: "service",
  service_name: "service",
  functions: "functions",
  linked_functions: "functions",
  fingerprints: "fingerprints",
  stack_fingerprints: "fingerprints",
  url: "url",
  link: "url",
};

/** Parses by file extension (`.csv`) or content (JSON starts with `[` or `{`). */
export function parseIncidentsFile(text: string, fileName: string): ParsedIncidents {
  const trimmed = text.trimStart();
  const isJson = !fileName.toLowerCase().endsWith(".csv") && /^[[{]/.test(trimmed);
  return isJson ? parseJsonIncidents(text) : parseCsvIncidents(text);
}

export function parseJsonIncidents(text: string): ParsedIncidents {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first ? lineCounter.linePos(first.pos[0]).line : 1;
    return {
      incidents: [],
      errors: [{ line, message: `not valid JSON: ${first?.message ?? ""}` }],
    };
  }
  const root: unknown = doc.contents;
  const items = isMap(root) ? root.get("incidents", true) : root;
  if (!isSeq(items)) {
    return {
      incidents: [],
      errors: [{ line: 1, message: 'expected an array of incidents or { "incidents": [...] }' }],
    };
  }
  const out: ParsedIncidents = { incidents: [], errors: [] };
  for (const item of items.items) {
    const offset = (item as { range?: [number, number, number] }).range?.[0] ?? 0;
    const line = lineCounter.linePos(offset).line;
    const value = (item as { toJSON?: () => unknown }).toJSON?.() ?? item;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      out.errors.push({ line, message: "expected an object" });
      continue;
    }
    validate(value as Record<string, unknown>, line, out);
  }
  return out;
}

export function parseCsvIncidents(text: string): ParsedIncidents {
  const records = readCsv(text);
  const out: ParsedIncidents = { incidents: [], errors: [] };
  const header = records.shift();
  if (!header) return { incidents: [], errors: [{ line: 1, message: "empty file" }] };
  const columns = header.fields.map((h) => ALIASES[h.trim().toLowerCase()] ?? h.trim());
  for (const record of records) {
    if (record.fields.every((f) => f.trim() === "")) continue;
    if (record.fields.length !== columns.length) {
      out.errors.push({
        line: record.line,
        message: `${record.fields.length} fields, the header has ${columns.length}`,
      });
      continue;
    }
    const row: Record<string, unknown> = {};
    for (const [i, column] of columns.entries()) row[column] = record.fields[i];
    validate(row, record.line, out);
  }
  return out;
}

function validate(raw: Record<string, unknown>, line: number, out: ParsedIncidents): void {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    row[ALIASES[key.toLowerCase()] ?? key] = value;
  }
  const parsed = incidentSchema.safeParse(row);
  if (parsed.success) {
    out.incidents.push(parsed.data);
    return;
  }
  const message = parsed.error.issues
    .map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`)
    .join("; ");
  out.errors.push({ line, message });
}

interface CsvRecord {
  line: number;
  fields: string[];
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === "\n") line += 1;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = "";
      line += 1;
      recordLine = line;
    } else field += ch;
  }
  if (field !== "" || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}
