/**
 * Encrypted cookies for the setup page. State lives only in the browser (sealed with the
 * server's key), so any replica can serve any request and nothing needs a session table.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SecretBox } from "./secret-box.ts";

export interface CookieOptions {
  /** `Secure` + the `__Host-` prefix. Only a local development server over plain HTTP turns this off. */
  secure: boolean;
}

/** Parses the Cookie header into name → value (first occurrence wins, as browsers send the most specific first). */
export function parseCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

function cookieName(base: string, options: CookieOptions): string {
  return options.secure ? `__Host-${base}` : base;
}

function appendSetCookie(res: ServerResponse, value: string): void {
  const existing = res.getHeader("set-cookie");
  const list = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  res.setHeader("set-cookie", [...list, value]);
}

/**
 * Reads a sealed JSON cookie; undefined when absent, tampered with, sealed by an unknown
 * key or expired (`exp`, seconds since the epoch).
 */
export function readSealedCookie<T extends { exp: number }>(
  req: IncomingMessage,
  base: string,
  box: SecretBox,
  options: CookieOptions,
): T | undefined {
  const raw = parseCookies(req).get(cookieName(base, options));
  if (!raw) return undefined;
  try {
    const value = JSON.parse(box.open(raw, `cookie:${base}`)) as T;
    if (typeof value.exp !== "number" || value.exp * 1000 < Date.now()) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** Seals `value` into an httpOnly, SameSite=Lax cookie that expires with `value.exp`. */
export function writeSealedCookie<T extends { exp: number }>(
  res: ServerResponse,
  base: string,
  value: T,
  box: SecretBox,
  options: CookieOptions,
): void {
  const maxAge = Math.max(0, Math.floor(value.exp - Date.now() / 1000));
  const sealed = box.seal(JSON.stringify(value), `cookie:${base}`);
  // Lax, not Strict: the OAuth callback is a top-level navigation coming from GitHub.
  const attributes = ["Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAge}`];
  if (options.secure) attributes.push("Secure");
  appendSetCookie(res, `${cookieName(base, options)}=${sealed}; ${attributes.join("; ")}`);
}

export function clearCookie(res: ServerResponse, base: string, options: CookieOptions): void {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0"];
  if (options.secure) attributes.push("Secure");
  appendSetCookie(res, `${cookieName(base, options)}=; ${attributes.join("; ")}`);
}
