import { describe, expect, it } from "vitest";
import { contentSkipReason, maxFileBytes } from "../../../src/code/skip-reason.ts";

/** A source of about `bytes` UTF-8 bytes whose every line holds `char` (short lines: not minified). */
const sourceOf = (char: string, bytes: number) => {
  const line = `// ${char.repeat(60)}\n`;
  return line.repeat(Math.ceil(bytes / Buffer.byteLength(line)));
};

describe("contentSkipReason", () => {
  it("measures the 1 MiB limit in UTF-8 bytes, not characters", () => {
    // Two-byte "é": fewer characters than bytes.
    expect(contentSkipReason(sourceOf("é", maxFileBytes - 4096))).toBeNull();
    expect(contentSkipReason(sourceOf("é", maxFileBytes + 4096))).toBe("larger than 1 MiB");
    // Three-byte "€": about a third as many characters as bytes.
    const euros = sourceOf("€", maxFileBytes + 4096);
    expect(euros.length).toBeLessThan(maxFileBytes / 2);
    expect(contentSkipReason(euros)).toBe("larger than 1 MiB");
    expect(contentSkipReason(sourceOf("a", maxFileBytes - 4096))).toBeNull();
    expect(contentSkipReason(sourceOf("a", maxFileBytes + 4096))).toBe("larger than 1 MiB");
  });
});
