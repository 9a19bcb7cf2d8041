import { readFile, writeFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../../src/report/types.ts";

// Redaction pseudonyms are keyed; a fixed key makes golden files reproducible.
process.env.FAULTLINE_REDACTION_KEY = "faultline-golden-tests";

type Render = typeof import("../../../src/report/render.ts");
let render: Render;
let build: (which: "typical" | "empty" | "huge" | "hostile") => Promise<Report>;

beforeAll(async () => {
  render = await import("../../../src/report/render.ts");
  const { analyze } = await import("../../../src/analyze.ts");
  const { defaultConfig } = await import("../../../src/config.ts");
  const inputs = await import("../../fixtures/report/inputs.ts");
  build = async (which) => {
    const chosen =
      which === "typical"
        ? inputs.typicalInputs()
        : which === "huge"
          ? inputs.hugeInputs()
          : which === "hostile"
            ? inputs.hostileInputs()
            : {
                changes: inputs.changeSet([]),
                store: new inputs.FixedTelemetryStore([]),
                history: null,
              };
    const report = await analyze({
      ...chosen,
      config: defaultConfig(),
      repo: { owner: "acme", repo: "shop", serverUrl: "https://github.com", pullNumber: 7 },
      now: inputs.NOW,
    });
    // Scenario code comes from templates/scenario.*.hbs, which evolve on their own: pin it,
    // so these files test how the report renders scenarios, not what the tests say.
    for (const scenario of report.scenarios) {
      if (scenario.code) scenario.code = inputs.SCENARIO_CODE;
    }
    return report;
  };
});

const GOLDEN = new URL("../../golden/report/", import.meta.url);

async function expectGolden(name: string, text: string): Promise<void> {
  const file = new URL(name, GOLDEN);
  if (process.env.UPDATE_GOLDEN) await writeFile(file, text);
  expect(text).toBe(await readFile(file, "utf8"));
}

/** The Markdown outside code spans and fenced blocks: where injection would take effect. */
function outsideCode(markdown: string): string {
  return markdown
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, "")
    .replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, "");
}

describe("rendered comment (golden files)", () => {
  it.each(["typical", "empty", "huge", "hostile"] as const)("%s", async (which) => {
    const report = await build(which);
    await expectGolden(`${which}.comment.md`, render.renderComment(report));
    await expectGolden(`${which}.check-summary.md`, render.renderCheckSummary(report));
  });
});

describe("comment safety", () => {
  it("neutralises hostile telemetry and git strings", async () => {
    const comment = render.renderComment(await build("hostile"));
    const prose = outsideCode(comment);
    // No live HTML from telemetry, balanced <details>, one marker (ours).
    expect(prose).not.toMatch(/<script|<img|<\/b>/i);
    expect(prose.match(/<details>/g)?.length).toBe(prose.match(/<\/details>/g)?.length);
    expect(comment.split("<!-- faultline:report -->").length).toBe(2);
    // No pings: every @ or #number outside code carries a zero-width joiner.
    expect(prose).not.toMatch(/@[A-Za-z0-9]/);
    expect(prose).not.toMatch(/#\d/);
    // No javascript: link survives; the only links are to GitHub.
    // (An escaped `\]` is a literal bracket, not the end of a link text.)
    expect(comment).not.toMatch(/(?<!\\)\]\(javascript:/i);
    const links = [...prose.matchAll(/(?<!\\)\]\(([^)]*)\)/g)].map(([, url]) => url);
    expect(links.length).toBeGreaterThan(0);
    for (const url of links) expect(url).toMatch(/^https:\/\/github\.com\//);
    // Redacted before display.
    expect(comment).not.toContain("4111 1111 1111 1111");
    expect(comment).not.toContain("jane.doe@acme.io");
    expect(comment).not.toContain("mallory@evil.example");
  });

  it("keeps every table row's cell count equal to its header's", async () => {
    for (const which of ["typical", "hostile", "huge"] as const) {
      const lines = render.renderComment(await build(which)).split("\n");
      let columns = 0;
      for (const line of lines) {
        if (!line.startsWith("|")) {
          columns = 0;
          continue;
        }
        const cells = line.replace(/\\\|/g, "").split("|").length;
        if (columns === 0) columns = cells;
        expect(cells, line).toBe(columns);
      }
    }
  });

  it("fits GitHub's limit by dropping lower-risk detail first, and says so", async () => {
    const report = await build("huge");
    const comment = render.renderComment(report);
    expect(comment.length).toBeLessThanOrEqual(render.GITHUB_BODY_LIMIT);
    expect(comment).toContain("Shortened to fit GitHub's 65,536-character limit");
    const riskiest = report.functions[0]?.fn.name ?? "";
    const lowest = report.functions.at(-1)?.fn.name ?? "";
    expect(comment).toContain(`<summary>🟡 <code>${riskiest}</code>`);
    expect(comment).not.toContain(lowest);
    expect(render.renderCheckSummary(report).length).toBeLessThanOrEqual(
      render.CHECK_SUMMARY_LIMIT,
    );
    // A tighter budget keeps the riskiest rows and drops the rest.
    const small = render.renderComment(report, { maxLength: 8_000 });
    expect(small.length).toBeLessThanOrEqual(8_000);
    expect(small).toContain(riskiest);
  });

  it("cuts a template that cannot fit however little it shows, and says so", async () => {
    const report = await build("huge");
    const text = render.renderComment(report, { template: "x".repeat(500), maxLength: 200 });
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text.endsWith("\n\n_…cut: the report did not fit in a comment._\n")).toBe(true);
  });

  it("renders a user's template override with the same escaped values", async () => {
    const text = render.renderComment(await build("hostile"), {
      template: "{{marker}}\n{{#each rows}}{{fn}} {{topException}}\n{{/each}}",
    });
    expect(text.startsWith("<!-- faultline:report -->\n")).toBe(true);
    expect(outsideCode(text)).not.toMatch(/<\/details>|@[A-Za-z]/);
  });
});

describe("reportToJson and annotations", () => {
  it("round-trips the report as JSON", async () => {
    const report = await build("typical");
    expect(JSON.parse(render.reportToJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it("annotates medium+ functions on head lines, failure where the gate trips", async () => {
    const report = await build("typical");
    const annotations = render.riskyAnnotations(report);
    const top = report.functions[0];
    expect(annotations[0]).toMatchObject({
      path: top?.fn.file,
      start_line: top?.fn.startLine,
      end_line: top?.fn.endLine,
      annotation_level: "failure",
    });
    expect(annotations.every((a) => a.message.length > 0)).toBe(true);
    expect(annotations[0]?.title).toBe(
      `Faultline: ${top?.risk.level} risk (${Math.round(top?.risk.score ?? 0)}/100) in ${top?.fn.name}`,
    );
    const factor = [...(top?.risk.factors ?? [])].sort(
      (a, b) => b.contribution - a.contribution,
    )[0];
    expect(annotations[0]?.message.split("\n")[0]).toBe(
      `${factor?.id} +${factor?.contribution.toFixed(1)}: ${factor?.detail}`,
    );
    const lowCount = report.functions.filter((f) => f.risk.level === "low").length;
    expect(annotations.length).toBe(report.functions.length - lowCount);
  });
});
