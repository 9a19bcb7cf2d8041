import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIncidentsFile } from "../../../src/telemetry/incidents/parse-incidents-file.ts";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../fixtures/telemetry/incidents", name), "utf8");

describe("parseIncidentsFile", () => {
  it("imports good CSV rows and reports bad ones with their line numbers", () => {
    const { incidents, errors } = parseIncidentsFile(fixture("pagerduty-export.csv"), "export.csv");
    expect(incidents.map((i) => i.id)).toEqual(["INC-101", "INC-102", "INC-105"]);
    expect(incidents[1]).toMatchObject({
      title: 'Payments double-charged, "retry" storm',
      severity: "SEV1",
      resolvedAt: null,
      functions: ["src/payments.js#chargeCard", "src/payments.js#handlePayment"],
      fingerprints: ["3f1c9a0b7d2e4a55"],
    });
    expect(incidents[2]?.title).toBe("Webhook retries\nspilling into the next line");
    expect(errors).toEqual([
      { line: 4, message: expect.stringMatching(/^startedAt: not a date/) },
      { line: 5, message: "resolvedAt: resolvedAt is before startedAt" },
      { line: 8, message: "2 fields, the header has 9" },
    ]);
  });

  it("imports JSON and points at the line of each bad object", () => {
    const { incidents, errors } = parseIncidentsFile(fixture("incidents.json"), "incidents.json");
    expect(incidents.map((i) => [i.id, i.startedAt.toISOString()])).toEqual([
      ["INC-201", "2026-04-01T12:00:00.000Z"],
    ]);
    expect(errors).toEqual([
      { line: 13, message: expect.stringContaining("title") },
      { line: 18, message: "url: not an http(s) URL" },
    ]);
  });

  it("rejects files that are not incident lists", () => {
    expect(parseIncidentsFile('{"foo": 1}', "x.json").errors[0]?.message).toMatch(
      /expected an array/,
    );
    expect(parseIncidentsFile("[1, {", "x.json").errors[0]?.message).toMatch(/not valid JSON/);
  });
});
