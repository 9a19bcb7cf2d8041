/**
 * Builds the app from the environment, self-hosted or hosted:
 * - always: the app settings (`FAULTLINE_*`, see `settings.ts`);
 * - `REDIS_URL`: the shared BullMQ queue (replicas); `FAULTLINE_INSTALLATION_CONCURRENCY`
 *   bounds one installation's analyses across replicas (default 2);
 * - `FAULTLINE_PUBLIC_URL`: hosted mode, the setup page and per-installation settings.
 *   Needs `FAULTLINE_SECRET_KEY` (and `FAULTLINE_SECRET_KEY_PREVIOUS` while rotating),
 *   `GITHUB_CLIENT_ID` + `GITHUB_CLIENT_SECRET` (the app's OAuth credentials), and the
 *   operator's ClickHouse for Faultline's settings table: `FAULTLINE_SETTINGS_CLICKHOUSE_URL`
 *   (`_USER`, `_PASSWORD`, `_DATABASE`). Users' ClickHouse must be on public addresses unless
 *   `FAULTLINE_ALLOW_PRIVATE_CLICKHOUSE=true` (an operator serving only its own network).
 */
import type { ApplicationFunction } from "probot";
import { UsageError } from "../../errors.ts";
import { openServerConnection } from "../../telemetry/server-connection.ts";
import { settingsFromEnv } from "../settings.ts";
import { createHostedApp, type HostedAppOptions } from "./hosted-app.ts";
import { secretBoxFromEnv } from "./secret-box.ts";

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (!value) throw new UsageError(`${name} is not set: ${why}`);
  return value;
}

/** GitHub's web and API origins; GitHub Enterprise Server via Probot's `GHE_HOST`. */
export function githubEndpointsFromEnv(env: NodeJS.ProcessEnv): { webUrl: string; apiUrl: string } {
  if (env.GHE_HOST) {
    const origin = `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}`;
    return { webUrl: origin, apiUrl: `${origin}/api/v3` };
  }
  return { webUrl: "https://github.com", apiUrl: "https://api.github.com" };
}

/**
 * @example
 * // probot entry
 * export default await hostedAppFromEnv(process.env);
 */
export async function hostedAppFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ApplicationFunction> {
  // The process entry point: SIGTERM/SIGINT close the queue before exiting.
  const app = { ...settingsFromEnv(env), handleSignals: true };
  const options: HostedAppOptions = { app };
  if (env.REDIS_URL) {
    const perInstallation = Number(env.FAULTLINE_INSTALLATION_CONCURRENCY || 2);
    if (!Number.isInteger(perInstallation) || perInstallation < 1 || perInstallation > 64) {
      throw new UsageError("FAULTLINE_INSTALLATION_CONCURRENCY must be an integer from 1 to 64.");
    }
    options.redis = {
      url: env.REDIS_URL,
      concurrency: app.concurrency,
      perInstallationConcurrency: perInstallation,
    };
  }
  if (env.FAULTLINE_PUBLIC_URL) {
    // Every missing variable is reported before anything connects.
    const box = secretBoxFromEnv(env);
    const why =
      "hosted mode (FAULTLINE_PUBLIC_URL) signs users in with the app's OAuth credentials";
    const oauth = {
      clientId: required(env, "GITHUB_CLIENT_ID", why),
      clientSecret: required(env, "GITHUB_CLIENT_SECRET", why),
    };
    const settingsUrl = required(
      env,
      "FAULTLINE_SETTINGS_CLICKHOUSE_URL",
      "hosted mode keeps installation settings in ClickHouse; point it at the operator's server",
    );
    let publicUrl: URL;
    try {
      publicUrl = new URL(env.FAULTLINE_PUBLIC_URL);
    } catch {
      throw new UsageError(
        "FAULTLINE_PUBLIC_URL must be the app's public origin, e.g. https://faultline.example.com",
      );
    }
    const settingsConnection = await openServerConnection({
      url: settingsUrl,
      ...(env.FAULTLINE_SETTINGS_CLICKHOUSE_USER
        ? { username: env.FAULTLINE_SETTINGS_CLICKHOUSE_USER }
        : {}),
      ...(env.FAULTLINE_SETTINGS_CLICKHOUSE_PASSWORD
        ? { password: env.FAULTLINE_SETTINGS_CLICKHOUSE_PASSWORD }
        : {}),
    });
    options.hosted = {
      settingsConnection,
      ...(env.FAULTLINE_SETTINGS_CLICKHOUSE_DATABASE
        ? { settingsDatabase: env.FAULTLINE_SETTINGS_CLICKHOUSE_DATABASE }
        : {}),
      box,
      allowPrivateAddresses: env.FAULTLINE_ALLOW_PRIVATE_CLICKHOUSE === "true",
      setup: {
        publicUrl: publicUrl.origin,
        github: githubEndpointsFromEnv(env),
        oauth,
        // Plain HTTP only for a local development server.
        secureCookies: publicUrl.protocol === "https:",
      },
    };
  }
  return createHostedApp(options);
}
