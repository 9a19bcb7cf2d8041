import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config.ts";
import type { StoreFor } from "../../../src/github/app.ts";
import {
  assertPublicAddress,
  PrivateAddressError,
} from "../../../src/github/hosted/assert-public-address.ts";
import {
  createHostedStoreFor,
  mappedServices,
} from "../../../src/github/hosted/hosted-store-for.ts";
import { createSecretBox } from "../../../src/github/hosted/secret-box.ts";
import {
  createSettingsStore,
  type InstallationSettingsStore,
} from "../../../src/github/hosted/settings-store.ts";
import { tracesTableDdl } from "../../../src/telemetry/schema.ts";
import { tableNames } from "../../../src/telemetry/table-names.ts";
import { type ChdbEndpoint, startChdbEndpoint } from "../../support/chdb-endpoint.ts";
import { spanRow } from "../../support/telemetry-fixtures.ts";

let endpoint: ChdbEndpoint;
let settings: InstallationSettingsStore;
const fallbackCalls: number[] = [];
const fallback: StoreFor = async (installationId) => {
  fallbackCalls.push(installationId);
  return null;
};

beforeAll(async () => {
  endpoint = await startChdbEndpoint("faultline-store-for-", async (embedded) => {
    for (const [database, spans] of [
      ["tenant_a", 3],
      ["tenant_b", 7],
    ] as const) {
      await embedded.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
      await embedded.command(
        tracesTableDdl(tableNames({ ...defaultConfig().telemetry, database })),
      );
      await embedded.insert(
        `${database}.otel_traces`,
        Array.from({ length: spans }, () => spanRow({ name: "GET /", service: database })),
      );
    }
  });
  settings = createSettingsStore(
    endpoint.connection,
    createSecretBox({ current: randomBytes(32).toString("hex") }),
  );
  await settings.init();
  const base = {
    url: endpoint.url,
    username: "default",
    password: "pw",
    tracesTable: "otel_traces",
    logsTable: "otel_logs",
  };
  await settings.save(
    1,
    {
      ...base,
      database: "tenant_a",
      serviceMappings: [{ repository: "acme/shop", services: ["checkout"] }],
    },
    "alice",
  );
  await settings.save(2, { ...base, database: "tenant_b", serviceMappings: [] }, "bob");
});

afterAll(async () => {
  await endpoint?.close();
});

describe("hosted storeFor", () => {
  it("gives each installation a store on its own connection and tables, and nothing else", async () => {
    const storeFor = createHostedStoreFor({ settings, fallback, requestTimeoutMs: 5000 });
    const context = { config: defaultConfig() };
    const a = await storeFor(1, { owner: "acme", repo: "shop" }, context);
    const b = await storeFor(2, { owner: "globex", repo: "web" }, context);
    try {
      const statusA = await a?.status();
      const statusB = await b?.status();
      // The repo config says database "default"; the installation's settings decide.
      expect(statusA?.database).toBe("tenant_a");
      expect(statusA?.tables.find((t) => t.name === "otel_traces")?.rows).toBe(3);
      expect(statusB?.database).toBe("tenant_b");
      expect(statusB?.tables.find((t) => t.name === "otel_traces")?.rows).toBe(7);
    } finally {
      await a?.close();
      await b?.close();
    }
    expect(fallbackCalls).toEqual([]);
  });

  it("falls back to the self-hosted default for installations without settings", async () => {
    const storeFor = createHostedStoreFor({ settings, fallback, requestTimeoutMs: 5000 });
    expect(
      await storeFor(3, { owner: "initech", repo: "tps" }, { config: defaultConfig() }),
    ).toBeNull();
    expect(fallbackCalls).toEqual([3]);
  });

  it("refuses to connect to a private address when hosted mode checks addresses", async () => {
    const storeFor = createHostedStoreFor({
      settings,
      fallback,
      requestTimeoutMs: 5000,
      checkAddress: assertPublicAddress,
    });
    await expect(
      storeFor(1, { owner: "acme", repo: "shop" }, { config: defaultConfig() }),
    ).rejects.toBeInstanceOf(PrivateAddressError);
  });

  it("maps a repository to its services, case-insensitively, and others to all services", async () => {
    const stored = await settings.get(1);
    if (!stored) throw new Error("settings of installation 1 missing");
    expect(mappedServices(stored, "Acme", "Shop")).toEqual(["checkout"]);
    expect(mappedServices(stored, "acme", "other")).toEqual([]);
  });
});
