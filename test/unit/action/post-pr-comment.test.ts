import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postPrComment } from "../../../src/action/post-pr-comment.ts";
import { COMMENT_MARKER } from "../../../src/github/upsert-comment.ts";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.ts";

let fake: FakeGitHub;
let token: string;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.addRepo("acme", "shop");
  fake.addPullRequest("acme", "shop", { number: 5, base: "a".repeat(40), head: "b".repeat(40) });
  token = fake.issueToken("acme", "shop");
});

afterAll(async () => {
  await fake.close();
});

const post = (body: string, overrides: { token?: string; issueNumber?: number } = {}) =>
  postPrComment({
    apiUrl: `${fake.url}/`,
    token: overrides.token ?? token,
    owner: "acme",
    repo: "shop",
    issueNumber: overrides.issueNumber ?? 5,
    body,
  });

describe("postPrComment", () => {
  it("creates the marked comment once, then edits it in place", async () => {
    fake.addComment("acme", "shop", 5, "octocat", "LGTM");
    const first = await post("## Faultline: low risk");
    expect(first).toMatchObject({ posted: true, created: true });
    const second = await post("## Faultline: high risk");
    expect(second).toEqual({ posted: true, created: false, id: first.posted ? first.id : -1 });
    const ours = fake.comments("acme", "shop", 5).filter((c) => c.body.includes(COMMENT_MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toBe(`${COMMENT_MARKER}\n## Faultline: high risk`);
  });

  it("reports a refused write with what to change instead of throwing", async () => {
    const missing = await post("x", { issueNumber: 99 });
    expect(missing.posted).toBe(false);
    expect(missing.posted ? "" : missing.reason).toMatch(
      /could not post the PR comment: 404 .*pull-requests: write/,
    );
    const badToken = await post("x", { token: "ghs_revoked" });
    expect(badToken.posted ? "" : badToken.reason).toMatch(/could not post the PR comment: 401/);
  });
});
