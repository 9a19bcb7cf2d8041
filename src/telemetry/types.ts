/**
 * The seam between Faultline and production telemetry. One `TelemetryStore` answers for
 * a whole PR in one batched query set; it sits on a `ClickHouseConnection`, which is either
 * a ClickHouse server (`@clickhouse/client`) or embedded chDB.
 */

/** Low-level, parameterized access to a ClickHouse engine. Never string-build input into SQL. */
export interface ClickHouseConnection {
  /** Runs a SELECT; `params` bind `{name:Type}` placeholders. Rows as JSON objects. */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Runs DDL or other statements without a result set. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Inserts rows (JSONEachRow) into a table. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
  /** `server` or `embedded`, for messages. */
  readonly kind: "server" | "embedded";
}

/** A function as the telemetry store knows it. */
export interface FunctionKey {
  /** Repo-relative path. */
  file: string;
  /** Qualified name, as in `ChangedFunction.name`. */
  name: string;
}

/** How a span or exception was tied to a function: the report says how sure it is. */
export type AttributionMethod =
  | "code-attributes" // code.function.name + code.file.path
  | "stack-frame" // in-app frame of an exception stack mapped to a function range
  | "learned-span-name" // span name shown by stacks to execute in the function
  | "name-fallback"; // frame function name matched a qualified-name suffix

export interface ExceptionSummary {
  type: string;
  count: number;
  firstSeen: string; // ISO
  lastSeen: string; // ISO
  /** Redacted. */
  sampleMessage: string;
  /** Redacted. */
  sampleStack: string;
  /** This function was the top in-app frame (culprit) rather than on the path. */
  culprit: boolean;
  /** Stack fingerprint (16 hex digits) of the sample stack; incidents may name it to link here. */
  fingerprint?: string;
}

export interface WindowStats {
  calls: number;
  errors: number;
  /** errors / calls, 0 when no calls. */
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface Incident {
  id: string;
  title: string;
  severity: string;
  startedAt: string; // ISO
  resolvedAt: string | null;
  service: string | null;
  url: string | null;
  /** `imported` or `detected` (error spike). */
  source: "imported" | "detected";
  /** Why it is linked: function, fingerprint, evidence. */
  evidence: string;
}

export interface Entrypoint {
  /** Root span name or `http.route`. */
  name: string;
  calls: number;
}

export interface HourlyPoint {
  hour: string; // ISO, start of hour
  calls: number;
  errors: number;
}

export interface FunctionTelemetry {
  key: FunctionKey;
  current: WindowStats;
  previous: WindowStats;
  /** Share of the service's calls that pass through this function, 0..1. */
  trafficShare: number;
  trend: "rising" | "falling" | "flat" | "new" | "none";
  exceptions: ExceptionSummary[];
  services: string[];
  versions: string[];
  entrypoints: Entrypoint[];
  hourly: HourlyPoint[];
  incidents: Incident[];
  attribution: AttributionMethod[];
}

export interface TelemetryWindow {
  from: Date;
  to: Date;
}

export interface TelemetryRequest {
  functions: FunctionKey[];
  /** Current window; the previous window is the same length right before it. */
  window: TelemetryWindow;
  /** Restrict to these services (from config path globs); empty = all. */
  services?: string[];
}

export interface TelemetryResult {
  /** Keyed by `${file}#${name}`; absent = never seen in production. */
  functions: Map<string, FunctionTelemetry>;
  /** Caveats for the report, e.g. "rollup missing: scanned raw spans". */
  notices: string[];
}

/** One observed call with its (already redacted) inputs and outcome, from `faultline/instrument`. */
export interface InputSample {
  key: FunctionKey;
  /** Redacted, serialised argument list (see src/instrument serialisation). */
  args: string;
  outcome: { kind: "return"; value: string } | { kind: "throw"; type: string; message: string };
  count: number;
  lastSeen: string; // ISO
  version: string | null;
}

export interface SchemaStatus {
  database: string;
  version: number | null;
  latestVersion: number;
  tables: { name: string; exists: boolean; rows: number | null }[];
}

export interface TelemetryStore {
  /** Creates missing tables and runs migrations; idempotent. */
  init(): Promise<SchemaStatus>;
  status(): Promise<SchemaStatus>;
  /** Everything the report needs, for all functions of a PR, in one batched query set. */
  functionTelemetry(request: TelemetryRequest): Promise<TelemetryResult>;
  /** Captured production inputs for scenario generation. */
  inputSamples(request: TelemetryRequest & { limitPerFunction: number }): Promise<InputSample[]>;
  close(): Promise<void>;
}

export const functionKeyId = (key: FunctionKey): string => `${key.file}#${key.name}`;

/**
 * Code knowledge the store needs to attribute stack frames: which function holds
 * file:line at a deployed commit. Built by the caller from a SourceProvider + the code engine.
 */
export interface FrameLocator {
  /** Qualified name of the innermost function containing `line` of `repoPath` at `revision` (null: best available), or null. */
  functionAt(revision: string | null, repoPath: string, line: number): Promise<string | null>;
  /** Repo paths (head tree), for longest-unique-suffix mapping of deployed paths. */
  repoFiles(): Promise<string[]>;
}
