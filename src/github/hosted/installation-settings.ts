/**
 * What one installation told the setup page: where its telemetry lives and which services
 * belong to which repository. The form's input is validated here; the page and the store
 * share these types.
 */
import { z } from "zod";

export interface ServiceMapping {
  /** `owner/name` of a repository of the installation. */
  repository: string;
  /** `service.name` values whose telemetry belongs to it. */
  services: string[];
}

/** Connection settings of one installation, with the password in clear: never render or log. */
export interface InstallationSettings {
  installationId: number;
  url: string;
  database: string;
  username: string;
  password: string;
  tracesTable: string;
  logsTable: string;
  serviceMappings: ServiceMapping[];
  updatedAt: string;
  updatedBy: string;
}

/** What the page may show: everything but the password. */
export type InstallationSettingsView = Omit<InstallationSettings, "password"> & {
  hasPassword: boolean;
};

/** The exporter's defaults (OTel Collector clickhouseexporter). */
export const SETTINGS_DEFAULTS = {
  database: "otel",
  username: "default",
  tracesTable: "otel_traces",
  logsTable: "otel_logs",
} as const;

/**
 * What is wrong with a form field. The sentences the user reads are in
 * `templates/setup-page.hbs`; zod's issue messages carry these codes.
 */
export type SettingsProblem =
  | "missing-url"
  | "not-http-url"
  | "not-identifier"
  | "missing-user"
  | "too-long"
  | "bad-mapping-line";

const problem = (code: SettingsProblem) => ({ error: code });

const identifier = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, problem("not-identifier"));

const serviceMappingLine = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\s*:\s*(.+)$/;

/**
 * Parses the mapping textarea: one `owner/repo: service-a, service-b` per line.
 * @example parseServiceMappings("acme/api: checkout, cart") // [{ repository: "acme/api", services: ["checkout", "cart"] }]
 */
export function parseServiceMappings(text: string): ServiceMapping[] {
  const mappings: ServiceMapping[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = serviceMappingLine.exec(line);
    const services = (match?.[2] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (!match?.[1] || services.length === 0) {
      throw new SettingsInputError("serviceMappings", "bad-mapping-line", index + 1);
    }
    mappings.push({ repository: match[1].toLowerCase(), services });
  }
  return mappings;
}

export function formatServiceMappings(mappings: readonly ServiceMapping[]): string {
  return mappings.map((m) => `${m.repository}: ${m.services.join(", ")}`).join("\n");
}

/** A form field the user must correct; `field` names the input, `problem` what is wrong. */
export class SettingsInputError extends Error {
  readonly field: string;
  readonly problem: SettingsProblem;
  /** The offending line of a multi-line field (1-based). */
  readonly line: number | undefined;
  constructor(field: string, problem: SettingsProblem, line?: number) {
    super(`${field}: ${problem}${line === undefined ? "" : ` on line ${line}`}`);
    this.name = "SettingsInputError";
    this.field = field;
    this.problem = problem;
    this.line = line;
  }
}

const formSchema = z.object({
  url: z
    .string()
    .trim()
    .min(1, problem("missing-url"))
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "https:" || url.protocol === "http:") && !url.username;
      } catch {
        return false;
      }
    }, problem("not-http-url")),
  database: identifier,
  username: z.string().trim().min(1, problem("missing-user")).max(256, problem("too-long")),
  tracesTable: identifier,
  logsTable: identifier,
});

/** The editable fields as the form posts them. A blank password keeps the stored one. */
export interface SettingsForm {
  url: string;
  database: string;
  username: string;
  password: string;
  tracesTable: string;
  logsTable: string;
  serviceMappings: string;
}

export type ValidSettingsInput = Omit<
  InstallationSettings,
  "installationId" | "updatedAt" | "updatedBy" | "password"
> & { password: string | null };

/** Validates the posted form; `password: null` means "keep the stored password". */
export function validateSettingsForm(form: SettingsForm): ValidSettingsInput {
  const parsed = formSchema.safeParse({
    url: form.url,
    database: form.database || SETTINGS_DEFAULTS.database,
    username: form.username || SETTINGS_DEFAULTS.username,
    tracesTable: form.tracesTable || SETTINGS_DEFAULTS.tracesTable,
    logsTable: form.logsTable || SETTINGS_DEFAULTS.logsTable,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsInputError(
      String(issue?.path[0] ?? "url"),
      (issue?.message ?? "not-http-url") as SettingsProblem,
    );
  }
  return {
    ...parsed.data,
    url: parsed.data.url.replace(/\/+$/, ""),
    password: form.password === "" ? null : form.password,
    serviceMappings: parseServiceMappings(form.serviceMappings),
  };
}
