import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { commentSafe } from "../instrument/to-js-expression.ts";
import type { ScenarioCase, TestFramework } from "./types.ts";

const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

const env = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** The packaged template of a framework (`templates/scenario.<framework>.hbs`). */
export function scenarioTemplate(framework: TestFramework): string {
  return readFileSync(`${TEMPLATES_DIR}scenario.${framework}.hbs`, "utf8");
}

export interface RenderScenarioParams {
  framework: TestFramework;
  file: string;
  name: string;
  /** Module specifier of the function's file, relative to the test file. */
  importPath: string;
  /** Property path from the module's exports to the function (`["Cart", "fromJSON"]`). */
  exportPath: string[];
  cases: ScenarioCase[];
  callCount: number;
  version: string | null;
  /** Template text overriding the packaged one. */
  template?: string;
  /** What the per-function cap left out (nothing when absent or empty). */
  omitted?: RenderOmitted;
}

/** Inputs the cap left out, and the outcome classes (or exception causes) with no case. */
export interface RenderOmitted {
  max: number;
  inputs: number;
  calls: number;
  /** Already redacted: `throw:TypeError`, `return:{total:number}`. */
  classes: string[];
}

/**
 * Renders one test file. Every value placed in code is a JS literal built here or by
 * `toJsExpression` (JSON-quoted strings), so telemetry content cannot inject code; names
 * in comments are stripped of comment terminators and line breaks.
 */
export function renderScenario(params: RenderScenarioParams): string {
  const source = params.template ?? scenarioTemplate(params.framework);
  let template = compiled.get(source);
  if (!template) {
    template = env.compile(source, { noEscape: true, strict: false });
    compiled.set(source, template);
  }
  const js = (value: string): string => JSON.stringify(value);
  return template({
    name: commentSafe(params.name),
    file: commentSafe(params.file),
    version: params.version ? commentSafe(params.version) : null,
    callCount: params.callCount,
    importPath: js(params.importPath),
    exportPath: JSON.stringify(params.exportPath),
    omitted:
      params.omitted && params.omitted.inputs > 0
        ? {
            max: params.omitted.max,
            inputs: params.omitted.inputs,
            calls: params.omitted.calls,
            classCount: params.omitted.classes.length,
            classes: commentSafe(params.omitted.classes.join(", ")),
          }
        : null,
    describeTitle: js(`${params.name} (${params.file}) — production scenarios`),
    cases: params.cases.map((c) => ({
      title: js(c.title),
      args: c.args,
      equals: c.expectation.kind === "equals",
      throws: c.expectation.kind === "throws",
      doesNotThrow: c.expectation.kind === "doesNotThrow",
      value: c.expectation.kind === "equals" ? c.expectation.value : null,
      type: c.expectation.kind === "throws" ? js(c.expectation.type) : null,
      message:
        c.expectation.kind === "throws" && c.expectation.message !== null
          ? js(c.expectation.message)
          : null,
    })),
  });
}
