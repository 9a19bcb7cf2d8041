/**
 * Redaction with consistent pseudonyms. Runs at capture (inside users' services, through
 * `faultline/instrument`) and again before anything is shown, so it imports only Node
 * built-ins.
 *
 * Every secret is replaced by a placeholder of the same shape, derived from a keyed HMAC
 * of the secret: the same secret gives the same placeholder everywhere in a process (and
 * across processes sharing `FAULTLINE_REDACTION_KEY`), and the placeholder cannot be
 * turned back into the secret. Placeholders are fixed points: redacting them again
 * leaves them alone, so double redaction (capture, then render) is harmless.
 */
import { createHmac, randomBytes } from "node:crypto";
import { isIPv6 } from "node:net";

/** User-supplied additions to the built-in rules. */
export interface RedactionRules {
  /** Key names whose values are always replaced; matched case-insensitively, ignoring `-`, `_`, `.` and spaces, as substrings. */
  sensitiveKeys?: string[];
  /** Key names never treated as sensitive even if they look so (exact, normalised like `sensitiveKeys`). */
  allowKeys?: string[];
  /** Extra text patterns. Matches are replaced by `replacement`, or by a consistent `redacted-<hash>` placeholder. */
  patterns?: { name?: string; pattern: RegExp | string; replacement?: string }[];
  /** HMAC key for pseudonyms. Default: `FAULTLINE_REDACTION_KEY`, else a random per-process key. */
  key?: string;
}

/** What serialisation needs to redact while it walks a value (see `src/instrument/serialize.ts`). */
export interface Redactor {
  text(value: string): string;
  /** True when values under this object key must be replaced whole. */
  sensitiveKey(key: string): boolean;
  /** Placeholder for a primitive found under a sensitive key (same type where possible). */
  sensitiveValue(value: unknown): unknown;
  /** Numbers that are card numbers (Luhn-valid, 13-16 digits, issuer prefix) become test cards. */
  number(value: number): number;
  /**
   * While set, every original this redactor replaces is added to `into` (null stops it).
   * Capture uses it to spot results derived from redacted inputs (`derivedFrom`).
   */
  collect(into: Set<string> | null): void;
}

const processKey = process.env.FAULTLINE_REDACTION_KEY || randomBytes(32).toString("hex");

/** Key fragments that mark a value as secret wherever they appear in a key name. */
const SENSITIVE_KEY_PARTS = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "authorization",
  "cookie",
  "apikey",
  "accesskey",
  "privatekey",
  "credential",
  "creditcard",
  "cardnumber",
  "socialsecurity",
  "sessionid",
  "signature",
  "firstname",
  "lastname",
  "fullname",
  "surname",
  "givenname",
  "familyname",
  "dateofbirth",
  "birthdate",
  "passport",
  "iban",
  "accountnumber",
  "routingnumber",
  "taxid",
  "nationalid",
  "streetaddress",
];
/** Short key names that are only sensitive on their own (`auth`, not `author`). */
const SENSITIVE_KEY_EXACT = new Set([
  "pwd",
  "pass",
  "auth",
  "ssn",
  "pin",
  "otp",
  "cvv",
  "cvc",
  "cvv2",
  "sid",
  "dob",
  "street",
  "jwt",
  "pan",
  "xapikey",
  "session",
]);

const normaliseKey = (key: string): string => key.toLowerCase().replace(/[-_.\s]/g, "");

/** Words that make the value after `key=` / `key:` a secret, anywhere inside an identifier. */
const KEYISH_LONG =
  "password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|authorization|cookie|session[_-]?id|credentials?|signature|birth[_-]?date|date[_-]?of[_-]?birth";
/** Short words that only count as a whole identifier segment (`pin`, not `spin`). */
const KEYISH_SHORT = "pwd|pass|pin|ssn|dob|otp|auth|session|sid|jwt|cvv|cvc";

// Every repetition is bounded and most patterns can only start at a boundary, so
// redaction stays linear on long text (stack traces, base64 blobs).
const PATTERNS = {
  privateKey: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  jwt: /\beyJ[A-Za-z0-9_-]{5,8192}\.eyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,8192}/g,
  // Vendor tokens with well-known prefixes: the prefix stays, the body is replaced.
  prefixedToken:
    /\b(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|sk_live_|sk_test_|rk_live_|rk_test_|pk_live_|pk_test_|whsec_|xox[abposre]-|glpat-|npm_|sk-proj-|sk-ant-|sk-|AIza|AKIA|ASIA|SG\.)([A-Za-z0-9_\-.=]{10,})/g,
  scheme: /\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{8,})/g,
  urlCredentials: /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^/\s:@]{1,256}):([^/\s@]{1,256})@/gi,
  email:
    /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){1,8}/g,
  card: /(?<![\d.])\d(?:[ -]?\d){12,18}(?![\d])/g,
  ssn: /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g,
  ipv4: /(?<![\d.vV])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.]*\d)/g,
  ipv6: /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|(?:\d{1,3}\.){3}\d{1,3})(?![0-9A-Fa-f:])/g,
  phone:
    /(?<![\w+.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?|\d{2,4}[\s.-])\d{2,4}[\s.-]?\d{2,4}(?:[\s.-]?\d{2,4}){0,2}(?![\w-]|\.\d)|(?<![\w+])\+\d{8,15}(?!\w)/g,
  keyValue: new RegExp(
    `((?<![A-Za-z0-9])(?:[A-Za-z0-9]{1,40}[_-]){0,4}(?:${KEYISH_SHORT})(?:[_-][A-Za-z0-9]{1,40}){0,4}(?![A-Za-z0-9])|(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{0,40}?(?:${KEYISH_LONG})[A-Za-z0-9_-]{0,40})(["']?\\s{0,8}[:=]\\s{0,8})(?:"([^"]{0,2048})"|'([^']{0,2048})'|((?:(?:Bearer|Basic|Token)\\s+)?[^\\s"'&,;}<>)]{1,2048}))`,
    "gi",
  ),
};

const PLACEHOLDER = {
  generic: /^redacted-[0-9a-f]{8}$/,
  email: /^user-[0-9a-f]{8}@example\.com$/i,
};

/** Issuer prefixes (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay): keeps epoch-ms timestamps out. */
const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[0478]|35|6)/;

/** Digit groups the phone pattern would otherwise take: dates, decimals, dotted quads. */
const NOT_A_PHONE = [
  /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/,
  /^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$/,
  /^\d+\.\d+$/,
  /^\d+(?:\.\d+){3}$/,
  /^\d{3}-\d{2}-\d{4}$/,
];

/**
 * Cheap pre-check: text without any of these (no digits, `@`, `:`, `=`, `_`, scheme words,
 * key headers, token prefixes) cannot match a built-in pattern.
 */
const MIGHT_HOLD_SECRET = /[\d@:=_]|Bearer|Basic|BEGIN|eyJ|xox|sk-|glpat-|AIza|AKIA|ASIA|SG\./;
const CACHE_MAX_LENGTH = 256;
const CACHE_ENTRIES = 4096;

const RESERVED_EMAIL_DOMAIN = /@(?:[a-z0-9-]+\.)*example\.(?:com|org|net)$/i;

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

class Pseudonymiser {
  readonly #key: string;
  constructor(key: string) {
    this.#key = key;
  }
  hex(kind: string, value: string): string {
    return createHmac("sha256", this.#key).update(`${kind}\u0000${value}`).digest("hex");
  }
  digits(kind: string, value: string, count: number): string {
    let out = "";
    let round = 0;
    while (out.length < count) {
      for (const ch of this.hex(`${kind}#${round}`, value)) {
        out += String(Number.parseInt(ch, 16) % 10);
        if (out.length === count) break;
      }
      round += 1;
    }
    return out;
  }
}

/**
 * A Luhn-valid test card (424242 prefix, the test issuer range) of the same length and
 * layout, keeping the last four digits as receipts do (PCI DSS allows showing them).
 */
function cardPlaceholder(p: Pseudonymiser, original: string, digits: string): string {
  const n = digits.length;
  const last4 = digits.slice(-4);
  const middle = p.digits("card", digits, n - 11);
  let fake = "";
  for (let fix = 0; fix < 10; fix += 1) {
    fake = `424242${middle}${fix}${last4}`;
    if (luhnValid(fake)) break;
  }
  let i = 0;
  return original.replace(/\d/g, () => fake[i++] ?? "0");
}

function isDocumentationIPv4(ip: string): boolean {
  return (
    ip.startsWith("192.0.2.") ||
    ip.startsWith("198.51.100.") ||
    ip.startsWith("203.0.113.") ||
    ip.startsWith("127.") ||
    ip === "0.0.0.0" ||
    ip === "255.255.255.255"
  );
}

function ipv4Placeholder(p: Pseudonymiser, ip: string): string {
  const n = Number.parseInt(p.hex("ipv4", ip).slice(0, 8), 16) % 762;
  const net = ["192.0.2.", "198.51.100.", "203.0.113."][Math.floor(n / 254)];
  return `${net}${(n % 254) + 1}`;
}

function ipv6Placeholder(p: Pseudonymiser, ip: string): string {
  const h = p.hex("ipv6", ip.toLowerCase());
  return `2001:db8::${h.slice(0, 4)}:${h.slice(4, 8)}:${h.slice(8, 12)}`;
}

/**
 * `user-<hash>@example.com`, with the original's capitalisation kept (`User-…@Example.com`,
 * all caps): the hash ignores case, so code that normalises case still sees one address.
 */
function emailPlaceholder(original: string, hash: string): string {
  const at = original.lastIndexOf("@");
  const local = original.slice(0, at);
  const domain = original.slice(at + 1);
  if (/[A-Z]/.test(original) && original === original.toUpperCase()) {
    return `USER-${hash.toUpperCase()}@EXAMPLE.COM`;
  }
  const user = /^[A-Z]/.test(local) ? "User" : "user";
  const example = /^[A-Z]/.test(domain) ? "Example" : "example";
  return `${user}-${hash}@${example}.com`;
}

/** Same length and character classes as the original token body, starting `redacted`. */
function tokenBody(p: Pseudonymiser, body: string): string {
  const upper = /^[A-Z0-9]+$/.test(body);
  const seed = `${upper ? "REDACTED" : "redacted"}${p.hex("token", body)}${p.hex("token2", body)}`;
  const text = upper ? seed.toUpperCase() : seed;
  let out = text;
  while (out.length < body.length) out += text;
  return out.slice(0, body.length);
}

const JWT_HEADER = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"; // {"alg":"none","typ":"JWT"}
const JWT_SIGNATURE = "cmVkYWN0ZWQ"; // "redacted"

function jwtPlaceholder(p: Pseudonymiser, jwt: string): string {
  const payload = Buffer.from(JSON.stringify({ sub: `redacted-${p.hex("jwt", jwt).slice(0, 8)}` }))
    .toString("base64url")
    .replace(/=+$/, "");
  return `${JWT_HEADER}.${payload}.${JWT_SIGNATURE}`;
}

/** Same layout, pseudonymous digits; an international `+<country code>` prefix is kept. */
function phonePlaceholder(p: Pseudonymiser, phone: string): string {
  const prefix = /^\+\d{1,3}[\s.-]/.exec(phone)?.[0] ?? "";
  const rest = phone.slice(prefix.length);
  const digits = rest.replace(/\D/g, "");
  const fake = p.digits("phone", digits, digits.length).replace(/^0/, "5");
  let i = 0;
  return prefix + rest.replace(/\d/g, () => fake[i++] ?? "0");
}

function compileUserPatterns(rules: RedactionRules | undefined) {
  return (rules?.patterns ?? []).map((rule) => ({
    pattern:
      typeof rule.pattern === "string"
        ? new RegExp(rule.pattern, "g")
        : new RegExp(
            rule.pattern.source,
            rule.pattern.flags.includes("g") ? rule.pattern.flags : `${rule.pattern.flags}g`,
          ),
    replacement: rule.replacement,
  }));
}

/** Builds a redactor for the given rules; cheap enough to build per call, cached for the default rules. */
export function createRedactor(rules?: RedactionRules): Redactor {
  const p = new Pseudonymiser(rules?.key ?? processKey);
  const userPatterns = compileUserPatterns(rules);
  const extraKeys = (rules?.sensitiveKeys ?? []).map(normaliseKey).filter((k) => k.length > 0);
  const allowKeys = new Set((rules?.allowKeys ?? []).map(normaliseKey));
  const generic = (kind: string, value: string): string =>
    PLACEHOLDER.generic.test(value) ? value : `redacted-${p.hex(kind, value).slice(0, 8)}`;

  // Originals replaced while a collector is set (see `Redactor.collect`).
  let collector: Set<string> | null = null;
  type Replacer = (match: string, ...rest: never[]) => string;
  // `whole: false`: the replacer notes just the secret part (not `password=` or `Bearer`).
  const sub = (input: string, pattern: RegExp, replace: Replacer, whole = true): string =>
    input.replace(pattern, (match: string, ...rest: unknown[]) => {
      const out = replace(match, ...(rest as never[]));
      if (whole && collector && out !== match) collector.add(match);
      return out;
    });
  const note = (secret: string): void => {
    collector?.add(secret);
  };

  // Results of `text` for short strings, with the originals each replaced (for `collect`).
  const cache = new Map<string, { out: string; replaced: string[] }>();
  const text = (input: string): string => {
    if (input.length === 0) return input;
    if (userPatterns.length === 0 && !MIGHT_HOLD_SECRET.test(input)) return input;
    if (input.length > CACHE_MAX_LENGTH) return redactUncached(input);
    let hit = cache.get(input);
    if (!hit) {
      const outer = collector;
      const replaced = new Set<string>();
      collector = replaced;
      try {
        hit = { out: redactUncached(input), replaced: [...replaced] };
      } finally {
        collector = outer;
      }
      if (cache.size >= CACHE_ENTRIES) cache.clear();
      cache.set(input, hit);
    }
    if (collector) for (const original of hit.replaced) collector.add(original);
    return hit.out;
  };

  const redactUncached = (input: string): string => {
    let s = input;
    for (const rule of userPatterns) {
      s = sub(s, rule.pattern, (m) => rule.replacement ?? generic("user", m));
    }
    s = sub(s, PATTERNS.privateKey, (m) => `[redacted private key ${generic("pk", m)}]`);
    s = sub(s, PATTERNS.jwt, (m) => (m.startsWith(`${JWT_HEADER}.`) ? m : jwtPlaceholder(p, m)));
    s = sub(s, PATTERNS.prefixedToken, (m, prefix: string, body: string) =>
      /^redacted/i.test(body) ? m : `${prefix}${tokenBody(p, body)}`,
    );
    s = sub(
      s,
      PATTERNS.scheme,
      (m, scheme: string, space: string, value: string) => {
        if (
          PLACEHOLDER.generic.test(value) ||
          value.startsWith(`${JWT_HEADER}.`) ||
          /^[a-z]+$/.test(value) // prose ("Basic authentication failed"), not a credential
        ) {
          return m;
        }
        note(value);
        return `${scheme}${space}${generic("bearer", value)}`;
      },
      false,
    );
    s = sub(
      s,
      PATTERNS.urlCredentials,
      (_m, scheme: string, user: string, pass: string) => {
        note(user);
        note(pass);
        return `${scheme}redacted:${generic("urlpass", pass)}@`;
      },
      false,
    );
    s = sub(s, PATTERNS.email, (m, offset: number, whole: string) => {
      if (RESERVED_EMAIL_DOMAIN.test(m)) return m;
      // The password placeholder of `scheme://redacted:redacted-…@host` is not an address.
      if (whole[offset - 1] === ":" && /^redacted-[0-9a-f]{8}@/.test(m)) return m;
      return emailPlaceholder(m, p.hex("email", m.toLowerCase()).slice(0, 8));
    });
    s = sub(s, PATTERNS.card, (m) => {
      const digits = m.replace(/\D/g, "");
      if (digits.length < 13 || digits.length > 19 || !CARD_PREFIX.test(digits)) return m;
      if (!luhnValid(digits) || digits.startsWith("424242")) return m;
      return cardPlaceholder(p, m, digits);
    });
    s = sub(s, PATTERNS.ssn, (m) =>
      m.startsWith("000-") ? m : `000-${p.digits("ssn", m, 2)}-${p.digits("ssn2", m, 4)}`,
    );
    s = sub(s, PATTERNS.ipv4, (m) => (isDocumentationIPv4(m) ? m : ipv4Placeholder(p, m)));
    s = sub(s, PATTERNS.ipv6, (m) => {
      if (!isIPv6(m)) return m;
      const lower = m.toLowerCase();
      if (lower === "::" || lower === "::1" || lower.startsWith("2001:db8:")) return m;
      return ipv6Placeholder(p, m);
    });
    s = sub(s, PATTERNS.phone, (m) => {
      if (NOT_A_PHONE.some((shape) => shape.test(m))) return m;
      const digits = m.replace(/\D/g, "");
      // Card placeholders (already replaced above) are Luhn-valid; phones rarely are that long.
      if (digits.length >= 13 && luhnValid(digits)) return m;
      return digits.length >= 7 && digits.length <= 15 ? phonePlaceholder(p, m) : m;
    });
    s = sub(
      s,
      PATTERNS.keyValue,
      (
        m,
        key: string,
        sep: string,
        dq: string | undefined,
        sq: string | undefined,
        bare: string | undefined,
      ) => {
        if (allowKeys.has(normaliseKey(key))) return m;
        const quoted = dq ?? sq ?? bare ?? "";
        const scheme = /^(?:Bearer|Basic|Token)\s+/.exec(quoted)?.[0] ?? "";
        const value = quoted.slice(scheme.length);
        if (value.length === 0 || isAlreadyRedacted(value)) return m;
        note(value);
        const replaced = scheme + generic("keyvalue", value);
        if (dq !== undefined) return `${key}${sep}"${replaced}"`;
        if (sq !== undefined) return `${key}${sep}'${replaced}'`;
        return `${key}${sep}${replaced}`;
      },
      false,
    );
    return s;
  };

  const keyCache = new Map<string, boolean>();
  const sensitiveKey = (key: string): boolean => {
    let known = keyCache.get(key);
    if (known === undefined) {
      known = isSensitiveKey(key);
      if (keyCache.size >= CACHE_ENTRIES) keyCache.clear();
      keyCache.set(key, known);
    }
    return known;
  };
  const isSensitiveKey = (key: string): boolean => {
    const k = normaliseKey(key);
    if (k.length === 0 || allowKeys.has(k)) return false;
    if (SENSITIVE_KEY_EXACT.has(k)) return true;
    return (
      SENSITIVE_KEY_PARTS.some((part) => k.includes(part)) ||
      extraKeys.some((part) => k.includes(part))
    );
  };

  const sensitiveValue = (value: unknown): unknown => {
    if (collector && (typeof value === "string" || typeof value === "number")) {
      if (!isAlreadyRedacted(String(value))) collector.add(String(value));
    }
    if (typeof value === "string") {
      if (value.length === 0 || isAlreadyRedacted(value)) return value;
      const scheme = /^(Bearer|Basic|Token|Digest)\s+/.exec(value);
      return scheme
        ? `${scheme[0]}${generic("bearer", value.slice(scheme[0].length))}`
        : generic("secret", value);
    }
    if (typeof value === "number" && Number.isFinite(value)) {
      const digits = String(Math.abs(Math.trunc(value))).length;
      const fake = Number(p.digits("number", String(value), digits).replace(/^0/, "9"));
      return value < 0 ? -fake : fake;
    }
    if (typeof value === "bigint") {
      const digits = (value < 0n ? -value : value).toString().length;
      return BigInt(p.digits("bigint", value.toString(), digits).replace(/^0/, "9"));
    }
    return value;
  };

  const number = (value: number): number => {
    if (!Number.isSafeInteger(value) || value < 1e12) return value;
    const digits = String(value);
    if (!CARD_PREFIX.test(digits) || !luhnValid(digits)) return value;
    return Number(text(digits));
  };

  const collect = (into: Set<string> | null): void => {
    collector = into;
  };

  return { text, sensitiveKey, sensitiveValue, number, collect };
}

function isAlreadyRedacted(value: string): boolean {
  return (
    PLACEHOLDER.generic.test(value) ||
    /^(?:Bearer|Basic|Token|Digest)\s+redacted-[0-9a-f]{8}$/.test(value) ||
    value.startsWith(`${JWT_HEADER}.`)
  );
}

let defaultRedactor: Redactor | null = null;
const redactorFor = (rules?: RedactionRules): Redactor => {
  if (rules) return createRedactor(rules);
  defaultRedactor ??= createRedactor();
  return defaultRedactor;
};

/**
 * Redacts secrets and personal data in free text (telemetry messages, stack traces, logs).
 *
 * @example redactText("mail jane@acme.io") // "mail user-3f2a91bc@example.com"
 */
export function redactText(text: string, rules?: RedactionRules): string {
  return redactorFor(rules).text(text);
}

/**
 * A redacted deep copy of a value: strings go through `redactText`, values under sensitive
 * keys are replaced whole, prototypes (class names), Map/Set, Dates and cycles are kept.
 * Buffers and typed arrays holding UTF-8 text are redacted as text.
 */
export function redactValue<T>(value: T, rules?: RedactionRules): T {
  return redactWith(redactorFor(rules), value, new Map(), false) as T;
}

function redactWith(
  r: Redactor,
  value: unknown,
  seen: Map<object, unknown>,
  sensitive: boolean,
): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === "string") return sensitive ? r.sensitiveValue(value) : r.text(value);
  if (typeof value === "number") {
    if (sensitive) return r.sensitiveValue(value);
    return r.number(value);
  }
  if (typeof value === "bigint") return sensitive ? r.sensitiveValue(value) : value;
  if (typeof value !== "object") return value; // boolean, symbol, function
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (value instanceof Date) return new Date(value.getTime());
  if (ArrayBuffer.isView(value)) return redactBytes(r, value, sensitive);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(redactWith(r, item, seen, sensitive));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) {
      const keySensitive = sensitive || (typeof k === "string" && r.sensitiveKey(k));
      out.set(redactWith(r, k, seen, false), redactWith(r, v, seen, keySensitive));
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(redactWith(r, v, seen, sensitive));
    return out;
  }
  if (value instanceof Error) {
    const out = Object.create(Object.getPrototypeOf(value)) as Error;
    seen.set(value, out);
    Object.defineProperty(out, "message", {
      value: r.text(value.message),
      writable: true,
      configurable: true,
    });
    if (value.stack) {
      Object.defineProperty(out, "stack", {
        value: r.text(value.stack),
        writable: true,
        configurable: true,
      });
    }
    copyOwn(r, value, out, seen, sensitive);
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  seen.set(value, out);
  copyOwn(r, value, out, seen, sensitive);
  return out;
}

function copyOwn(
  r: Redactor,
  from: object,
  to: object,
  seen: Map<object, unknown>,
  sensitive: boolean,
): void {
  for (const key of Object.keys(from)) {
    if (to instanceof Error && (key === "message" || key === "stack")) continue;
    const child = (from as Record<string, unknown>)[key];
    (to as Record<string, unknown>)[key] = redactWith(
      r,
      child,
      seen,
      sensitive || r.sensitiveKey(key),
    );
  }
}

function redactBytes(r: Redactor, view: ArrayBufferView, sensitive: boolean): unknown {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const Ctor = view.constructor as new (buffer: ArrayBufferLike) => ArrayBufferView;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Binary, not text: nothing regex-shaped to find. Sensitive binary is blanked.
    if (!sensitive) return copyView(view);
    return Buffer.isBuffer(view)
      ? Buffer.alloc(view.byteLength)
      : new Ctor(new ArrayBuffer(view.byteLength));
  }
  const redacted = sensitive ? String(r.sensitiveValue(decoded)) : r.text(decoded);
  if (redacted === decoded) return copyView(view);
  const encoded = Buffer.from(redacted, "utf8");
  if (Buffer.isBuffer(view)) return encoded;
  if (view instanceof Uint8Array) return new Uint8Array(encoded);
  // Other typed arrays: keep the type, pad to its element size.
  const size = (view as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  const padded = new Uint8Array(Math.ceil(encoded.length / size) * size);
  padded.set(encoded);
  return new Ctor(padded.buffer);
}

function copyView(view: ArrayBufferView): ArrayBufferView {
  if (Buffer.isBuffer(view)) return Buffer.from(view);
  const Ctor = view.constructor as new (buffer: ArrayBufferLike) => ArrayBufferView;
  return new Ctor(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}
