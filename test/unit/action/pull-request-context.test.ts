import { describe, expect, it } from "vitest";
import { pullRequestContext } from "../../../src/action/pull-request-context.ts";
import { resolveRevisions } from "../../../src/action/resolve-revisions.ts";
import { pullRequestEvent } from "../../fixtures/action/pull-request-event.ts";

const event = pullRequestEvent({
  owner: "acme",
  repo: "shop",
  number: 42,
  base: { sha: "a".repeat(40), ref: "main" },
  head: { sha: "b".repeat(40), ref: "feature" },
  labels: ["faultline:override", "bug"],
});

describe("pullRequestContext", () => {
  it("reads repository, number, SHAs and labels from a pull_request payload", () => {
    expect(pullRequestContext(event, "other/name")).toEqual({
      owner: "acme",
      repo: "shop",
      number: 42,
      baseSha: "a".repeat(40),
      headSha: "b".repeat(40),
      baseRef: "main",
      labels: ["faultline:override", "bug"],
      draft: false,
    });
  });

  it("falls back to GITHUB_REPOSITORY outside pull_request events", () => {
    const context = pullRequestContext({ ref: "refs/heads/main" }, "acme/shop");
    expect(context).toMatchObject({ owner: "acme", repo: "shop", number: null, baseSha: null });
  });
});

describe("resolveRevisions", () => {
  const context = pullRequestContext(event, "");

  it("defaults to the pull request's SHAs; inputs win", () => {
    expect(resolveRevisions({}, context)).toEqual({ base: "a".repeat(40), head: "b".repeat(40) });
    expect(resolveRevisions({ base: "origin/main", head: "HEAD" }, context)).toEqual({
      base: "origin/main",
      head: "HEAD",
    });
  });

  it("asks for base outside pull requests and compares with HEAD by default", () => {
    const push = pullRequestContext({}, "acme/shop");
    expect(() => resolveRevisions({}, push)).toThrow(/input `base` is empty/);
    expect(resolveRevisions({ base: "v1.2.0" }, push)).toEqual({ base: "v1.2.0", head: "HEAD" });
  });
});
