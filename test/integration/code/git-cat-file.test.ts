import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GitCatFile } from "../../../src/code/git-cat-file.ts";

describe("GitCatFile", () => {
  it("rejects every request, without ending the process, when git exits outside a repository", async () => {
    const plain = await mkdtemp(join(tmpdir(), "faultline-not-git-"));
    try {
      // git exits at once here, and later writes to its stdin fail with EPIPE (an unhandled
      // stream error once ended the whole CLI with exit code 1 instead of a clear message).
      for (let round = 0; round < 20; round++) {
        const blobs = new GitCatFile(plain);
        const answers = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) => blobs.commit(`HEAD~${i}`)),
        );
        blobs.close();
        expect(answers.every((answer) => answer.status === "rejected")).toBe(true);
      }
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });
});
