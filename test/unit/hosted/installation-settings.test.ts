import { describe, expect, it } from "vitest";
import {
  formatServiceMappings,
  parseServiceMappings,
  SettingsInputError,
  validateSettingsForm,
} from "../../../src/github/hosted/installation-settings.ts";

const form = {
  url: "https://clickhouse.acme.example:8443/",
  database: "",
  username: "",
  password: "",
  tracesTable: "",
  logsTable: "",
  serviceMappings: "",
};

describe("setup form validation", () => {
  it("fills the exporter's defaults and keeps a blank password as 'keep the stored one'", () => {
    expect(validateSettingsForm(form)).toEqual({
      url: "https://clickhouse.acme.example:8443",
      database: "otel",
      username: "default",
      password: null,
      tracesTable: "otel_traces",
      logsTable: "otel_logs",
      serviceMappings: [],
    });
  });

  it.each([
    ["url", { url: "ftp://ch.example" }],
    ["url", { url: "https://user:pw@ch.example" }],
    ["url", { url: "" }],
    ["database", { database: "otel; DROP TABLE x" }],
    ["tracesTable", { tracesTable: "otel-traces" }],
  ])("names the field to fix (%s)", (field, patch) => {
    try {
      validateSettingsForm({ ...form, ...patch });
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsInputError);
      expect((error as SettingsInputError).field).toBe(field);
    }
  });

  it("parses and formats service mappings, skipping blanks and comments", () => {
    const text = "# which services run where\nAcme/Shop: checkout, cart\n\nacme/api:billing\n";
    const mappings = parseServiceMappings(text);
    expect(mappings).toEqual([
      { repository: "acme/shop", services: ["checkout", "cart"] },
      { repository: "acme/api", services: ["billing"] },
    ]);
    expect(parseServiceMappings(formatServiceMappings(mappings))).toEqual(mappings);
    expect(() => parseServiceMappings("acme/shop checkout")).toThrow(/line 1/);
    expect(() => parseServiceMappings("acme/shop:")).toThrow(SettingsInputError);
  });
});
