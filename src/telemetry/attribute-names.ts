/**
 * Span attribute names Faultline writes (`faultline/instrument`) and reads (telemetry
 * queries). OTel semantic-convention names first, then Faultline's own `faultline.*`.
 */
export const ATTR = {
  // Stable code.* conventions (semconv >= 1.33).
  functionName: "code.function.name",
  filePath: "code.file.path",
  lineNumber: "code.line.number",
  columnNumber: "code.column.number",
  // Deprecated spellings still emitted by older instrumentations.
  legacyFunction: "code.function",
  legacyNamespace: "code.namespace",
  legacyFilePath: "code.filepath",
  legacyLineNumber: "code.lineno",
  // Exceptions (span events named "exception", and log attributes).
  exceptionType: "exception.type",
  exceptionMessage: "exception.message",
  exceptionStacktrace: "exception.stacktrace",
  // Commit and environment (resource attributes).
  serviceVersion: "service.version",
  vcsRevision: "vcs.ref.head.revision",
  httpRoute: "http.route",
  // Captured production inputs, redacted at capture (see src/instrument).
  /** Serialised, redacted argument list. Present only on sampled calls. */
  args: "faultline.args",
  /** "return" | "throw". */
  outcome: "faultline.outcome",
  /** Serialised, redacted return value (outcome "return"). */
  result: "faultline.result",
  /** Thrown error's constructor name and redacted message (outcome "throw"). */
  errorType: "faultline.error.type",
  errorMessage: "faultline.error.message",
} as const;
