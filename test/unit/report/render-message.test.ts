import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type MessageFamily, renderMessage } from "../../../src/report/render-message.ts";

const MESSAGES = new URL("../../../templates/messages/", import.meta.url);

describe("renderMessage", () => {
  it("renders a family's message by kind, unescaped and trimmed", () => {
    const text = renderMessage("action-fetch", {
      kind: "revision-fetch-failed",
      revision: "feature/x",
      remote: "origin",
      error: "fatal: couldn't find remote ref <feature/x> & more",
    });
    expect(text).toBe(
      "revision feature/x is not in the checkout and fetching it from origin failed: fatal: couldn't find remote ref <feature/x> & more. Check the base/head inputs, or set `fetch-depth: 0` on actions/checkout (and keep actions/checkout's default `persist-credentials: true` so git can fetch).",
    );
  });

  it("throws for a kind its template does not word", () => {
    expect(() => renderMessage("action-gate", { kind: "tripped" })).toThrow(
      'templates/messages/action-gate.hbs has no message "tripped"',
    );
  });

  it("has a template for every message family, and no template without one", () => {
    const families: Record<MessageFamily, true> = {
      "action-fetch": true,
      "action-gate": true,
      "action-inputs": true,
      "action-run": true,
      "app-run": true,
      "check-run-title": true,
      "check-run-summary": true,
      "report-annotation": true,
      "report-notice": true,
      "report-shortened": true,
    };
    const files = readdirSync(MESSAGES).filter((name) => name.endsWith(".hbs"));
    expect(files.map((name) => name.replace(/\.hbs$/, "")).sort()).toEqual(
      Object.keys(families).sort(),
    );
  });
});
