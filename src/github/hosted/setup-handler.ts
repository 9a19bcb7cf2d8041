/**
 * The hosted setup page as a Probot HTTP handler (`addHandler`): GitHub sign-in, the
 * admin check, the settings form, "Test connection". All browser state is in sealed
 * cookies, so any replica answers any request.
 *
 * Routes under `basePath` (default `/faultline`):
 *   GET  /setup?installation_id=N   GitHub's setup URL; signs in first when needed
 *   GET  /callback?code=…&state=…   the OAuth callback URL
 *   POST /setup                     save or test (form, CSRF token)
 *   POST /logout
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClickHouseConnection } from "../../telemetry/types.ts";
import { PrivateAddressError } from "./assert-public-address.ts";
import {
  type ConnectionReport,
  checkConnection,
  describeConnectionError,
} from "./check-connection.ts";
import { type CookieOptions, clearCookie, readSealedCookie, writeSealedCookie } from "./cookies.ts";
import {
  administeredInstallations,
  authorizeUrl,
  exchangeCode,
  type GitHubEndpoints,
  type OAuthClient,
} from "./github-user-auth.ts";
import {
  formatServiceMappings,
  SETTINGS_DEFAULTS,
  type SettingsForm,
  SettingsInputError,
  type ValidSettingsInput,
  validateSettingsForm,
} from "./installation-settings.ts";
import {
  createSetupRenderer,
  type SetupRenderer,
  type SetupTemplate,
} from "./render-setup-page.ts";
import type { SecretBox } from "./secret-box.ts";
import type { InstallationSettingsStore } from "./settings-store.ts";
import { parseInstallationId, readForm, sameToken, securityHeaders } from "./setup-http.ts";

/** What the connection test and the app need to reach an installation's ClickHouse. */
export interface ConnectionTarget {
  url: string;
  username: string;
  password: string;
  /** Omitted by the connection test, which checks the database exists before using it. */
  database?: string;
}

export type OpenConnection = (target: ConnectionTarget) => Promise<ClickHouseConnection>;

export interface SetupHandlerOptions {
  /** The app's public origin, e.g. https://faultline.example.com (redirect URI, Origin check). */
  publicUrl: string;
  github: GitHubEndpoints;
  oauth: OAuthClient;
  box: SecretBox;
  settings: InstallationSettingsStore;
  openConnection: OpenConnection;
  /** Refuses URLs before connecting (hosted: `assertPublicAddress`). */
  checkAddress?: (url: string) => Promise<void>;
  basePath?: string;
  /** Default true; only a plain-HTTP development server turns it off. */
  secureCookies?: boolean;
  /** How long a sign-in (and its admin check) lasts; default 1 h. */
  sessionSeconds?: number;
  /**
   * An installation missing from an older session (installed since signing in) sends the user
   * through GitHub again for a fresh admin check; default: sessions older than 60 s.
   */
  recheckAfterMs?: number;
  log?: Pick<Console, "info" | "warn" | "error">;
  renderer?: SetupRenderer;
}

interface Session {
  userId: number;
  login: string;
  /** Installations this user administered when they signed in. */
  installations: number[];
  csrf: string;
  /** Sign-in time, ms since the epoch. */
  iat: number;
  exp: number;
}

interface SignIn {
  state: string;
  installationId: number | null;
  exp: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const SESSION = "faultline-session";
const SIGN_IN = "faultline-sign-in";
/**
 * @example
 *   options.addHandler(createSetupHandler({ publicUrl, github, oauth, box, settings, openConnection }));
 */
export function createSetupHandler(options: SetupHandlerOptions): Handler {
  const basePath = (options.basePath ?? "/faultline").replace(/\/+$/, "");
  const publicUrl = new URL(options.publicUrl);
  const redirectUri = new URL(`${basePath}/callback`, publicUrl).toString();
  const cookieBox = options.box.derive("cookies");
  const cookies: CookieOptions = { secure: options.secureCookies ?? true };
  const sessionSeconds = options.sessionSeconds ?? 3600;
  const recheckAfterMs = options.recheckAfterMs ?? 60_000;
  const renderer = options.renderer ?? createSetupRenderer();
  const log = options.log ?? console;

  const send = (
    res: ServerResponse,
    status: number,
    template: SetupTemplate,
    context: Record<string, unknown>,
  ): true => {
    const nonce = randomBytes(16).toString("base64");
    securityHeaders(res, nonce);
    res.statusCode = status;
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(renderer.render(template, { basePath, nonce, ...context }));
    return true;
  };

  const redirect = (res: ServerResponse, location: string, status = 302): true => {
    securityHeaders(res, "");
    res.statusCode = status;
    res.setHeader("location", location);
    res.end();
    return true;
  };

  const startSignIn = (res: ServerResponse, installationId: number | null): true => {
    const state = randomBytes(24).toString("base64url");
    const exp = Math.floor(Date.now() / 1000) + 600;
    writeSealedCookie<SignIn>(res, SIGN_IN, { state, installationId, exp }, cookieBox, cookies);
    return redirect(res, authorizeUrl(options.github, options.oauth, redirectUri, state));
  };

  const setupPath = (installationId: number | null): string =>
    installationId ? `${basePath}/setup?installation_id=${installationId}` : `${basePath}/setup`;

  const formFromSettings = async (installationId: number) => {
    const view = await options.settings.view(installationId);
    const form: Omit<SettingsForm, "password"> = view
      ? {
          url: view.url,
          database: view.database,
          username: view.username,
          tracesTable: view.tracesTable,
          logsTable: view.logsTable,
          serviceMappings: formatServiceMappings(view.serviceMappings),
        }
      : { url: "", ...SETTINGS_DEFAULTS, serviceMappings: "" };
    return {
      form,
      hasPassword: view?.hasPassword ?? false,
      updatedBy: view?.updatedBy,
      updatedAt: view?.updatedAt,
    };
  };

  const testConnection = async (
    installationId: number,
    input: ValidSettingsInput,
  ): Promise<ConnectionReport> => {
    const password = input.password ?? (await options.settings.get(installationId))?.password ?? "";
    let connection: ClickHouseConnection;
    try {
      await options.checkAddress?.(input.url);
      connection = await options.openConnection({
        url: input.url,
        username: input.username,
        password,
      });
    } catch (error) {
      return {
        ok: false,
        checks: [
          { id: "reachable", status: "fail", facts: describeConnectionError(error, password) },
        ],
      };
    }
    try {
      return await checkConnection(connection, { ...input, password });
    } finally {
      await connection.close().catch(() => undefined);
    }
  };

  /** Only a private address blocks the form; an unresolvable host is the connection test's to explain. */
  const refusedAddress = async (url: string) => {
    try {
      await options.checkAddress?.(url);
      return null;
    } catch (error) {
      if (!(error instanceof PrivateAddressError)) return null;
      return { field: "url", kind: "private" };
    }
  };

  const handleCallback = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const signIn = readSealedCookie<SignIn>(req, SIGN_IN, cookieBox, cookies);
    clearCookie(res, SIGN_IN, cookies);
    const state = url.searchParams.get("state") ?? "";
    const code = url.searchParams.get("code") ?? "";
    if (!signIn || !state || !sameToken(state, signIn.state)) {
      return send(res, 400, "setup-message", {
        kind: "sign-in-failed",
        why: "state-mismatch",
      });
    }
    if (!code) {
      return send(res, 400, "setup-message", {
        kind: "sign-in-failed",
        installationId: signIn.installationId,
        why: "no-code",
      });
    }
    try {
      const token = await exchangeCode(options.github, options.oauth, code, redirectUri);
      const { user, installationIds } = await administeredInstallations(options.github, token);
      const session: Session = {
        userId: user.id,
        login: user.login,
        installations: installationIds,
        csrf: randomBytes(24).toString("base64url"),
        iat: Date.now(),
        exp: Math.floor(Date.now() / 1000) + sessionSeconds,
      };
      writeSealedCookie(res, SESSION, session, cookieBox, cookies);
      log.info(`hosted setup: ${user.login} signed in (${installationIds.length} installations)`);
      return redirect(res, setupPath(signIn.installationId), 303);
    } catch (error) {
      log.warn(`hosted setup: sign-in failed: ${error instanceof Error ? error.message : error}`);
      return send(res, 502, "setup-message", {
        kind: "sign-in-failed",
        installationId: signIn.installationId,
        why: "github-refused",
      });
    }
  };

  const handleSetupGet = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const installationId = parseInstallationId(url.searchParams.get("installation_id"));
    const session = readSealedCookie<Session>(req, SESSION, cookieBox, cookies);
    if (!session) return startSignIn(res, installationId);
    const common = { user: session.login, csrf: session.csrf, title: "Telemetry connection" };
    if (!installationId) {
      return send(res, 200, "setup-message", {
        ...common,
        kind: "choose",
        installations: session.installations,
      });
    }
    if (!session.installations.includes(installationId)) {
      // Installed after this sign-in? Ask GitHub again (it answers at once for a user who
      // already authorized the app); a fresh session that still lacks it is a real denial.
      if (Date.now() - (session.iat ?? 0) > recheckAfterMs) return startSignIn(res, installationId);
      log.warn(`hosted setup: ${session.login} denied installation ${installationId}`);
      return send(res, 403, "setup-message", { ...common, kind: "denied", installationId });
    }
    return send(res, 200, "setup-page", {
      ...common,
      installationId,
      ...(await formFromSettings(installationId)),
    });
  };

  const handleSetupPost = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const session = readSealedCookie<Session>(req, SESSION, cookieBox, cookies);
    const installationId = parseInstallationId(form?.get("installation_id"));
    if (!form) {
      return send(res, 400, "setup-message", {
        kind: "bad-request",
        installationId,
        why: "not-a-form",
      });
    }
    const origin = req.headers.origin;
    const csrfOk =
      session !== undefined &&
      sameToken(form.get("csrf") ?? "", session.csrf) &&
      (origin === undefined || origin === publicUrl.origin);
    if (!session || !csrfOk) {
      return send(res, 403, "setup-message", {
        kind: "bad-request",
        installationId,
        why: "csrf",
      });
    }
    const common = { user: session.login, csrf: session.csrf, title: "Telemetry connection" };
    if (!installationId || !session.installations.includes(installationId)) {
      log.warn(`hosted setup: ${session.login} denied saving installation ${installationId}`);
      return send(res, 403, "setup-message", { ...common, kind: "denied", installationId });
    }
    const posted: SettingsForm = {
      url: form.get("url") ?? "",
      database: form.get("database") ?? "",
      username: form.get("username") ?? "",
      password: form.get("password") ?? "",
      tracesTable: form.get("tracesTable") ?? "",
      logsTable: form.get("logsTable") ?? "",
      serviceMappings: form.get("serviceMappings") ?? "",
    };
    const stored = await formFromSettings(installationId);
    const { password: _never, ...shown } = posted;
    const page = { ...common, ...stored, installationId, form: shown };
    let input: ValidSettingsInput;
    try {
      input = validateSettingsForm(posted);
    } catch (error) {
      if (!(error instanceof SettingsInputError)) throw error;
      return send(res, 422, "setup-page", {
        ...page,
        error: { field: error.field, problem: error.problem, line: error.line },
      });
    }
    const addressError = await refusedAddress(input.url);
    if (addressError) {
      return send(res, 422, "setup-page", { ...page, error: addressError });
    }
    if (form.get("intent") === "test") {
      const report = await testConnection(installationId, input);
      return send(res, 200, "setup-page", { ...page, report });
    }
    await options.settings.save(installationId, input, session.login);
    log.info(`hosted setup: ${session.login} saved settings of installation ${installationId}`);
    return send(res, 200, "setup-page", {
      ...page,
      ...(await formFromSettings(installationId)),
      saved: true,
    });
  };

  const handleLogout = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const session = readSealedCookie<Session>(req, SESSION, cookieBox, cookies);
    if (session && form && sameToken(form.get("csrf") ?? "", session.csrf)) {
      clearCookie(res, SESSION, cookies);
    }
    return send(res, 200, "setup-message", { kind: "signed-out", title: "Signed out" });
  };

  return async (req, res) => {
    const url = new URL(req.url ?? "/", publicUrl);
    if (!url.pathname.startsWith(`${basePath}/`)) return false;
    const route = `${req.method} ${url.pathname.slice(basePath.length)}`;
    try {
      switch (route) {
        case "GET /setup":
          return await handleSetupGet(req, res, url);
        case "GET /callback":
          return await handleCallback(req, res, url);
        case "POST /setup":
          return await handleSetupPost(req, res);
        case "POST /logout":
          return await handleLogout(req, res);
        default:
          return false;
      }
    } catch (error) {
      // Messages only: error objects may carry request bodies with passwords.
      log.error(`hosted setup: ${route} failed: ${error instanceof Error ? error.message : error}`);
      if (!res.headersSent) {
        return send(res, 500, "setup-message", {
          kind: "bad-request",
          why: "server-error",
        });
      }
      return true;
    }
  };
}
