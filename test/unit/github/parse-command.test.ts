import { describe, expect, it } from "vitest";
import { parseCommand } from "../../../src/github/parse-command.ts";

describe("parseCommand", () => {
  it("reads override with its reason and rerun, on their own line", () => {
    expect(parseCommand("/faultline override hotfix for INC-42")).toEqual({
      kind: "override",
      reason: "hotfix for INC-42",
    });
    expect(parseCommand("Looks fine.\r\n  /Faultline   rerun  \nthanks")).toEqual({
      kind: "rerun",
    });
  });

  it("rejects an override without a reason and unknown verbs", () => {
    expect(parseCommand("/faultline override")).toMatchObject({ kind: "invalid" });
    expect(parseCommand("/faultline approve")).toEqual({
      kind: "invalid",
      message: "unknown command `/faultline approve`",
    });
  });

  it("ignores mentions inside text, quotes and code fences", () => {
    expect(parseCommand("we could /faultline override this")).toBeNull();
    expect(parseCommand("> /faultline override quoted")).toBeNull();
    expect(parseCommand("```\n/faultline rerun\n```")).toBeNull();
    expect(parseCommand("/faultlines rerun")).toBeNull();
  });

  it("caps the recorded reason", () => {
    const result = parseCommand(`/faultline override ${"x".repeat(900)}`);
    expect(result?.kind === "override" && result.reason.length).toBe(500);
  });
});
