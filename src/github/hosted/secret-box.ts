/**
 * Encryption at rest for installation secrets (ClickHouse passwords) and for the hosted
 * setup page's cookies: AES-256-GCM with a key from the environment. Every ciphertext names
 * the id of the key that sealed it, so the operator can rotate keys: new data is sealed with
 * `FAULTLINE_SECRET_KEY`, old data still opens with `FAULTLINE_SECRET_KEY_PREVIOUS`.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { UsageError } from "../../errors.ts";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Key {
  /** First 8 hex digits of SHA-256 of the key: names the key without revealing it. */
  id: string;
  bytes: Buffer;
}

/** Seals and opens short secrets. `context` binds a ciphertext to where it belongs (AAD). */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws when the ciphertext was tampered with, sealed for another context, or by an unknown key. */
  open(ciphertext: string, context: string): string;
  /** True when the ciphertext was sealed with a key other than the current one. */
  needsRotation(ciphertext: string): boolean;
  /** The id of the current key (safe to log). */
  readonly keyId: string;
  /** A box with a key derived for one purpose (e.g. cookies), so purposes never share keys. */
  derive(purpose: string): SecretBox;
}

export interface SecretKeys {
  current: string;
  previous?: string | undefined;
}

const HOW_TO = "Generate one with `openssl rand -base64 32` and set FAULTLINE_SECRET_KEY.";

function parseKey(text: string, variable: string): Key {
  const trimmed = text.trim();
  let bytes: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    bytes = Buffer.from(trimmed, "hex");
  } else {
    bytes = Buffer.from(trimmed, "base64");
    if (
      bytes.length !== 32 ||
      bytes.toString("base64").replace(/=+$/, "") !== trimmed.replace(/=+$/, "")
    ) {
      throw new UsageError(
        `${variable} must be 32 random bytes, base64 (44 characters) or hex (64 characters). ${HOW_TO}`,
      );
    }
  }
  return { id: keyIdOf(bytes), bytes };
}

function keyIdOf(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 8);
}

function boxOf(current: Key, previous: Key | undefined): SecretBox {
  const keys = new Map<string, Key>([[current.id, current]]);
  if (previous && previous.id !== current.id) keys.set(previous.id, previous);

  return {
    keyId: current.id,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current.bytes, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const payload = Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
      return `${VERSION}.${current.id}.${payload}`;
    },
    open(ciphertext, context) {
      const [version, keyId, payload] = ciphertext.split(".");
      if (version !== VERSION || !keyId || !payload) {
        throw new Error("not a Faultline ciphertext");
      }
      const key = keys.get(keyId);
      if (!key) {
        throw new Error(
          `sealed with key ${keyId}, which is neither FAULTLINE_SECRET_KEY nor FAULTLINE_SECRET_KEY_PREVIOUS`,
        );
      }
      const raw = Buffer.from(payload, "base64url");
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("ciphertext too short");
      const decipher = createDecipheriv("aes-256-gcm", key.bytes, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    },
    needsRotation(ciphertext) {
      return ciphertext.split(".")[1] !== current.id;
    },
    derive(purpose) {
      const sub = (key: Key): Key => {
        const bytes = Buffer.from(
          hkdfSync("sha256", key.bytes, Buffer.alloc(0), `faultline:${purpose}`, 32),
        );
        return { id: keyIdOf(bytes), bytes };
      };
      return boxOf(sub(current), previous ? sub(previous) : undefined);
    },
  };
}

/**
 * A box over explicit keys (base64 or hex, 32 bytes each).
 * @example createSecretBox({ current: process.env.FAULTLINE_SECRET_KEY! }).seal("pw", "installation:42")
 */
export function createSecretBox(keys: SecretKeys): SecretBox {
  const current = parseKey(keys.current, "FAULTLINE_SECRET_KEY");
  const previous = keys.previous
    ? parseKey(keys.previous, "FAULTLINE_SECRET_KEY_PREVIOUS")
    : undefined;
  return boxOf(current, previous);
}

/** The box from `FAULTLINE_SECRET_KEY` (+ `FAULTLINE_SECRET_KEY_PREVIOUS` while rotating). */
export function secretBoxFromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
  const current = env.FAULTLINE_SECRET_KEY;
  if (!current) {
    throw new UsageError(`Hosted mode needs FAULTLINE_SECRET_KEY to encrypt settings. ${HOW_TO}`);
  }
  return createSecretBox({ current, previous: env.FAULTLINE_SECRET_KEY_PREVIOUS || undefined });
}
