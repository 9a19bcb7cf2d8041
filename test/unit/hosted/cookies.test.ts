import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { readSealedCookie, writeSealedCookie } from "../../../src/github/hosted/cookies.ts";
import { createSecretBox } from "../../../src/github/hosted/secret-box.ts";

const box = createSecretBox({ current: randomBytes(32).toString("base64") });

/** Captures Set-Cookie like a ServerResponse. */
function response() {
  const headers = new Map<string, string | string[]>();
  const res = {
    getHeader: (name: string) => headers.get(name),
    setHeader: (name: string, value: string | string[]) => headers.set(name, value),
  } as unknown as ServerResponse;
  const cookies = () => (headers.get("set-cookie") as string[] | undefined) ?? [];
  return { res, cookies };
}

const request = (cookie: string) => ({ headers: { cookie } }) as IncomingMessage;

describe("sealed cookies", () => {
  it("are __Host-, Secure, HttpOnly, SameSite=Lax and opaque", () => {
    const { res, cookies } = response();
    const exp = Math.floor(Date.now() / 1000) + 60;
    writeSealedCookie(res, "s", { login: "alice", exp }, box, { secure: true });
    const header = cookies()[0] ?? "";
    expect(header).toMatch(/^__Host-s=v1\./);
    expect(header).toContain("; Secure");
    expect(header).toContain("; HttpOnly");
    expect(header).toContain("; SameSite=Lax");
    expect(header).toContain("; Path=/");
    expect(header).not.toContain("alice");
    const value = header.split(";")[0] ?? "";
    expect(readSealedCookie(request(value), "s", box, { secure: true })).toEqual({
      login: "alice",
      exp,
    });
  });

  it("reject tampering, another cookie's value, and expiry", () => {
    const { res, cookies } = response();
    const exp = Math.floor(Date.now() / 1000) + 60;
    writeSealedCookie(res, "a", { admin: [1], exp }, box, { secure: false });
    writeSealedCookie(res, "b", { admin: [2], exp: exp - 120 }, box, { secure: false });
    const [a = "", b = ""] = cookies().map((c) => c.split(";")[0] ?? "");
    const aValue = a.slice(2);
    expect(readSealedCookie(request(`a=${aValue}x`), "a", box, { secure: false })).toBeUndefined();
    // A's sealed value presented as cookie "b" does not open (the name is bound in).
    expect(readSealedCookie(request(`b=${aValue}`), "b", box, { secure: false })).toBeUndefined();
    expect(readSealedCookie(request(b), "b", box, { secure: false })).toBeUndefined();
    const otherKey = createSecretBox({ current: randomBytes(32).toString("base64") });
    expect(readSealedCookie(request(a), "a", otherKey, { secure: false })).toBeUndefined();
  });
});
