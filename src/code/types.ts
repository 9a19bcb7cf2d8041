/**
 * The changed-function contract. `faultline diff --format json` prints a `ChangeSet`;
 * every later stage (telemetry lookup, risk, scenarios) keys on `ChangedFunction`.
 * Extend with optional fields only: the JSON shape is a public contract.
 */

export type ChangeKind = "added" | "modified" | "removed";

export type Language = "javascript" | "typescript" | "tsx";

/** A call site in the head tree that references a changed function (its blast radius). */
export interface CallSite {
  file: string;
  line: number;
  /** Qualified name of the enclosing function, or `<top-level>`. */
  function: string;
}

export interface ChangedFunction {
  /** Repo-relative path, `/`-separated: head path (base path for `removed`). */
  file: string;
  /** Qualified, dot-joined name (`Router.prototype.handle`, `<anonymous>`). */
  name: string;
  change: ChangeKind;
  /** 1-based, inclusive: head lines (base lines for `removed`). */
  startLine: number;
  endLine: number;
  /** Set on `added` when the same body existed under this name in base. */
  renamedFrom?: string;
  /** Parameter list or return type differs between base and head. */
  signatureChanged: boolean;
  callers: CallSite[];
  /** Base-side path and lines for `modified` (file may have been renamed). */
  base?: { file: string; startLine: number; endLine: number };
  /** How much of the function's own code changed, 0..1 (1 for added/removed). */
  changeRatio?: number;
  /**
   * The code parsed around the change had syntax errors (the whole file when it was parsed
   * whole; errors far from every change may go unseen); extraction is best-effort.
   */
  syntaxErrors?: boolean;
  /** Exported from its module (directly, via `module.exports`, or a static/object method reachable from an export). */
  exported?: boolean;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ChangeSet {
  base: string;
  head: string;
  functions: ChangedFunction[];
  skipped: SkippedFile[];
  /** Visible caveats, e.g. "GitHub lists at most 3,000 files; 4,211 changed, analysed the first 3,000". */
  notices: string[];
}

export type FileStatus = "added" | "modified" | "removed" | "renamed";

/** One file a change touches, as a `SourceProvider` lists it. */
export interface FileChange {
  /** Head path (base path for `removed`). */
  path: string;
  /** Base path when renamed. */
  previousPath?: string;
  status: FileStatus;
  /** The file is a symbolic link (its content is a path, not source); providers that know set it. */
  symlink?: boolean;
}

/**
 * Where changes come from: local git or the GitHub REST API. Implementations do I/O;
 * the engine in `src/code/` never does.
 */
export interface SourceProvider {
  /** Resolved full SHAs of base and head. */
  readonly base: string;
  readonly head: string;
  /** Files changed between base and head, renames followed. */
  changedFiles(): Promise<{ files: FileChange[]; notices: string[] }>;
  /** File content at a revision, or null when absent (or binary). */
  readFile(rev: string, path: string): Promise<string | null>;
  /** All file paths at a revision (for call-site search); may be capped, with a notice. */
  listFiles(rev: string): Promise<string[]>;
  /**
   * Providers whose reads are costly (one HTTP request per file) cap how many unchanged
   * files the call-site search reads; nearest files (sharing folders with the change) first.
   */
  readonly maxCallerFiles?: number;
}

/** What kind of function-like node a function is (methods include static and object-literal ones). */
export type FunctionKind =
  | "function"
  | "generator"
  | "arrow"
  | "method"
  | "constructor"
  | "getter"
  | "setter";

/** A function-like node found in one file (what `extractFunctions` returns). */
export interface ExtractedFunction {
  name: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** Normalised text of the parameter list and return type. */
  signature: string;
  /** Hash of the function's own tokens (nested functions, comments, whitespace excluded). */
  bodyHash: string;
  exported: boolean;
  /** Syntax kind; names stay the same for getters, setters and plain methods. */
  kind?: FunctionKind;
}
