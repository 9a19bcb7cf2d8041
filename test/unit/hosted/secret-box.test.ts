import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.ts";
import { createSecretBox, secretBoxFromEnv } from "../../../src/github/hosted/secret-box.ts";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("hex");

describe("secret box (AES-256-GCM with key ids)", () => {
  it("round-trips and never contains the plaintext", () => {
    const box = createSecretBox({ current: keyA });
    const sealed = box.seal("hunter2-password", "installation:1");
    expect(sealed).not.toContain("hunter2");
    expect(sealed.split(".")[1]).toBe(box.keyId);
    expect(box.open(sealed, "installation:1")).toBe("hunter2-password");
    // A fresh IV each time: equal plaintexts do not give equal ciphertexts.
    expect(box.seal("hunter2-password", "installation:1")).not.toBe(sealed);
  });

  it("refuses a ciphertext moved to another context (another installation)", () => {
    const box = createSecretBox({ current: keyA });
    const sealed = box.seal("pw", "installation:1");
    expect(() => box.open(sealed, "installation:2")).toThrow();
  });

  it("refuses tampered ciphertexts", () => {
    const box = createSecretBox({ current: keyA });
    const sealed = box.seal("pw", "c");
    const [v, id, payload] = sealed.split(".");
    const bytes = Buffer.from(payload ?? "", "base64url");
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    expect(() => box.open(`${v}.${id}.${bytes.toString("base64url")}`, "c")).toThrow();
  });

  it("rotates: the previous key still opens, new seals use the current key", () => {
    const old = createSecretBox({ current: keyA });
    const sealedOld = old.seal("pw", "c");
    const rotated = createSecretBox({ current: keyB, previous: keyA });
    expect(rotated.open(sealedOld, "c")).toBe("pw");
    expect(rotated.needsRotation(sealedOld)).toBe(true);
    const sealedNew = rotated.seal("pw", "c");
    expect(rotated.needsRotation(sealedNew)).toBe(false);
    // Once the previous key is gone, old ciphertexts name a key nobody has.
    const only = createSecretBox({ current: keyB });
    expect(() => only.open(sealedOld, "c")).toThrow(/FAULTLINE_SECRET_KEY_PREVIOUS/);
  });

  it("derives independent keys per purpose", () => {
    const box = createSecretBox({ current: keyA });
    const cookies = box.derive("cookies");
    expect(cookies.keyId).not.toBe(box.keyId);
    expect(() => box.open(cookies.seal("x", "c"), "c")).toThrow();
  });

  it("explains a missing or malformed key", () => {
    expect(() => secretBoxFromEnv({})).toThrow(UsageError);
    expect(() => secretBoxFromEnv({})).toThrow(/openssl rand -base64 32/);
    expect(() => createSecretBox({ current: "too-short" })).toThrow(/32 random bytes/);
  });
});
