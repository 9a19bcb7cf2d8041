import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../../bin/faultline.js");
const FIXTURES = join(import.meta.dirname, "../../fixtures/telemetry/incidents");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "faultline-incidents-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function faultline(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("faultline db and incidents", () => {
  it("initialises the store, imports good rows, reports bad ones by line, and lists them", async () => {
    const db = join(dir, "store");
    const init = await faultline("db", "init", "--db", db);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/schema version: 2 \(latest\)/);
    expect(init.stdout).toMatch(/faultline_incidents\s+0 rows/);

    const csv = join(FIXTURES, "pagerduty-export.csv");
    const imported = await faultline("incidents", "import", csv, "--db", db);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toBe(`imported 3 incidents from ${csv}\n`);
    expect(imported.stderr).toContain("3 rows rejected:");
    expect(imported.stderr).toContain(`${csv}:4: startedAt: not a date`);
    expect(imported.stderr).toContain(`${csv}:8: 2 fields, the header has 9`);

    // Re-importing replaces rows by id instead of duplicating them.
    await faultline("incidents", "import", csv, "--db", db);
    const json = await faultline(
      "incidents",
      "import",
      join(FIXTURES, "incidents.json"),
      "--db",
      db,
    );
    expect(json.stdout).toMatch(/^imported 1 incident from/);

    const listed = await faultline("incidents", "list", "--db", db, "--days", "3650", "--json");
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: string; source: string }[];
    expect(rows.map((r) => r.id)).toEqual(["INC-201", "INC-105", "INC-102", "INC-101"]);
    expect(rows.every((r) => r.source === "imported")).toBe(true);

    const status = await faultline("db", "status", "--db", db, "--json");
    const incidentsTable = (
      JSON.parse(status.stdout) as { tables: { name: string; rows: number }[] }
    ).tables.find((t) => t.name === "faultline_incidents");
    expect(incidentsTable?.rows).toBeGreaterThanOrEqual(4);
  });

  it("fails clearly when nothing can be imported", async () => {
    const bad = await faultline(
      "incidents",
      "import",
      join(dir, "missing.csv"),
      "--db",
      join(dir, "s2"),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/faultline: cannot read .*missing\.csv/);
  });
});
