import { describe, expect, it } from "vitest";
import { changedRegions } from "../../../src/code/changed-regions.ts";

const numbered = (count: number, edit?: (line: number) => string | null) =>
  Array.from({ length: count }, (_, i) => `${edit?.(i) ?? `  total += values[${i}];`}\n`)
    .filter((line) => line !== "\n")
    .join("");

describe("changedRegions", () => {
  it("finds one changed line deep inside long equal text at its exact offsets", () => {
    const base = numbered(2000);
    const head = numbered(2000, (i) => (i === 1234 ? "  total -= values[1234];" : null));
    const at = base.indexOf("  total += values[1234];");
    const end = at + "  total += values[1234];\n".length;
    const { hunks } = changedRegions(base, head);
    expect(hunks).toEqual([{ baseStart: at, baseEnd: end, headStart: at, headEnd: end }]);
  });

  it("places an insertion between equal lines on both sides, in a long file", () => {
    const base = numbered(1500);
    const head = numbered(1500, (i) =>
      i === 700 ? "  log(values[700]);\n  total += values[700];" : null,
    );
    const at = base.indexOf("  total += values[700];");
    const { hunks, base: baseRanges, head: headRanges } = changedRegions(base, head);
    expect(hunks).toEqual([
      { baseStart: at, baseEnd: at, headStart: at, headEnd: at + "  log(values[700]);\n".length },
    ]);
    // The base side holds the insertion point, widened to the characters around it.
    expect(baseRanges).toHaveLength(1);
    expect(baseRanges[0]!.start).toBeLessThan(at);
    expect(baseRanges[0]!.end).toBeGreaterThan(at);
    expect(head.slice(headRanges[0]!.start, headRanges[0]!.end)).toContain("log(values[700])");
  });

  it("treats a last line without a line break as equal to the same line with one", () => {
    // "b" is equal on both sides: only "c" was added.
    expect(changedRegions("a\nb", "a\nb\nc").hunks).toEqual([
      { baseStart: 3, baseEnd: 3, headStart: 4, headEnd: 5 },
    ]);
    expect(changedRegions("a\nb\nc", "a\nb").hunks).toEqual([
      { baseStart: 4, baseEnd: 5, headStart: 3, headEnd: 3 },
    ]);
  });

  it("finds separate hunks for changes near both ends, and none for equal text", () => {
    const base = numbered(600);
    const head = numbered(600, (i) => (i === 3 ? "" : i === 590 ? "  total = 0;" : null));
    const hunks = changedRegions(base, head).hunks;
    expect(hunks.map((h) => base.slice(h.baseStart, h.baseEnd))).toEqual([
      "  total += values[3];\n",
      "  total += values[590];\n",
    ]);
    expect(hunks.map((h) => head.slice(h.headStart, h.headEnd))).toEqual(["", "  total = 0;\n"]);
    expect(changedRegions(base, base)).toEqual({ base: [], head: [], hunks: [] });
  });
});
