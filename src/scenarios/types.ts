import type { FunctionKey, InputSample } from "../telemetry/types.ts";

export type TestFramework = "vitest" | "jest";

export interface ScenarioCase {
  title: string;
  /** Redacted argument list, as a JS expression. */
  args: string;
  expectation:
    | { kind: "equals"; value: string }
    | { kind: "throws"; type: string; message: string | null }
    | { kind: "doesNotThrow" };
  /** How often production saw this input shape. */
  seen: number;
}

export interface Scenario {
  key: FunctionKey;
  framework: TestFramework;
  /** Path of the test file to write, relative to the output directory. */
  fileName: string;
  /** False when the function cannot be imported; `reason` says why, `samples` are listed instead. */
  runnable: boolean;
  reason: string | null;
  cases: ScenarioCase[];
  samples: InputSample[];
  /** Rendered test file (runnable scenarios only). */
  code: string | null;
}
