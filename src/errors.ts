/**
 * Errors a user can hit. Each says what was wrong and what to do; the CLI prints the
 * message on one line and exits with `exitCode`.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** Bad flags, bad revisions, not a repository, invalid configuration: exit 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

/** Telemetry store unreachable or failing. */
export class TelemetryUnavailableError extends UserError {
  constructor(message: string) {
    super(message, 3);
    this.name = "TelemetryUnavailableError";
  }
}
