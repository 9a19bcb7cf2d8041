import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidSettingsInput } from "../../../src/github/hosted/installation-settings.ts";
import { createSecretBox } from "../../../src/github/hosted/secret-box.ts";
import { createSettingsStore, SETTINGS_TABLE } from "../../../src/github/hosted/settings-store.ts";
import {
  type EmbeddedConnection,
  openEmbeddedConnection,
} from "../../../src/telemetry/embedded-connection.ts";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");

const input = (overrides: Partial<ValidSettingsInput> = {}): ValidSettingsInput => ({
  url: "https://clickhouse.acme.example:8443",
  database: "otel",
  username: "faultline_reader",
  password: "s3cret-acme",
  tracesTable: "otel_traces",
  logsTable: "otel_logs",
  serviceMappings: [{ repository: "acme/api", services: ["checkout"] }],
  ...overrides,
});

describe("installation settings store (chDB)", () => {
  let dir: string;
  let connection: EmbeddedConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "faultline-settings-"));
    connection = await openEmbeddedConnection(dir);
  });
  afterAll(async () => {
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores the password sealed, returns it only through get(), never through view()", async () => {
    const store = createSettingsStore(connection, createSecretBox({ current: keyA }));
    await store.init();
    await store.init(); // idempotent
    await store.save(101, input(), "octocat");
    const raw = await connection.query<{ password_sealed: string }>(
      `SELECT password_sealed FROM ${SETTINGS_TABLE} WHERE installation_id = 101`,
    );
    expect(raw[0]?.password_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(raw)).not.toContain("s3cret-acme");
    expect((await store.get(101))?.password).toBe("s3cret-acme");
    const view = await store.view(101);
    expect(view?.hasPassword).toBe(true);
    expect(JSON.stringify(view)).not.toContain("s3cret-acme");
    expect(view?.updatedBy).toBe("octocat");
    expect(view?.serviceMappings).toEqual([{ repository: "acme/api", services: ["checkout"] }]);
  });

  it("keeps the stored password when the form leaves it blank, and returns the newest version", async () => {
    const store = createSettingsStore(connection, createSecretBox({ current: keyA }));
    await store.save(101, input({ password: null, database: "telemetry" }), "hubot");
    const settings = await store.get(101);
    expect(settings?.database).toBe("telemetry");
    expect(settings?.password).toBe("s3cret-acme");
  });

  it("never gives one installation another's settings, even a copied row", async () => {
    const store = createSettingsStore(connection, createSecretBox({ current: keyA }));
    expect(await store.get(202)).toBeNull();
    await store.save(202, input({ password: "globex-pw", url: "https://ch.globex.example" }), "g");
    expect((await store.get(101))?.password).toBe("s3cret-acme");
    expect((await store.get(202))?.password).toBe("globex-pw");
    // An attacker with write access to the table copies acme's sealed password into a row of 303.
    const [acme] = await connection.query<Record<string, unknown>>(
      `SELECT * FROM ${SETTINGS_TABLE} WHERE installation_id = 101 ORDER BY updated_at DESC LIMIT 1`,
    );
    await connection.insert(SETTINGS_TABLE, [
      { ...acme, installation_id: 303, updated_at: "2030-01-01 00:00:00.000" },
    ]);
    await expect(store.get(303)).rejects.toThrow();
  });

  it("re-seals passwords with the new key during rotation", async () => {
    const rotated = createSettingsStore(
      connection,
      createSecretBox({ current: keyB, previous: keyA }),
    );
    await connection.command(`ALTER TABLE ${SETTINGS_TABLE} DELETE WHERE installation_id = 303`);
    expect(await rotated.rotate()).toBe(2);
    expect(await rotated.rotate()).toBe(0);
    const onlyNew = createSettingsStore(connection, createSecretBox({ current: keyB }));
    expect((await onlyNew.get(101))?.password).toBe("s3cret-acme");
    expect((await onlyNew.get(202))?.password).toBe("globex-pw");
  });
});
