/**
 * One replica of the hosted app, as its own process, for the replica tests: the real
 * `createHostedApp` in a Probot server on 127.0.0.1, with the Redis queue and the settings
 * table in a ClickHouse the parent test runs. Configured by FAULTLINE_REPLICA_CONFIG (JSON);
 * logs pino JSON lines on stdout, "replica ready" once listening.
 */
import Bottleneck from "bottleneck";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createHostedApp } from "../../../src/github/hosted/hosted-app.ts";
import { createSecretBox } from "../../../src/github/hosted/secret-box.ts";
import { settingsFromEnv } from "../../../src/github/settings.ts";
import { openServerConnection } from "../../../src/telemetry/server-connection.ts";

export interface ReplicaConfig {
  name: string;
  port: number;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  githubUrl: string;
  redisUrl: string;
  settingsUrl: string;
  secretKey: string;
  leaseMs: number;
  prefix: string;
}

const config = JSON.parse(process.env.FAULTLINE_REPLICA_CONFIG ?? "{}") as ReplicaConfig;
const log = pino({ level: "debug", base: { replica: config.name } });
// Production retry/throttling behaviour on a faster clock (as the app harness does).
const write = new Bottleneck.Group({ maxConcurrent: 4, minTime: 0 });
const Octokit = ProbotOctokit.defaults((options: Record<string, Record<string, unknown>>) => ({
  ...options,
  retry: { ...options.retry, retryAfterBaseValue: 5 },
  throttle: { ...options.throttle, retryAfterBaseValue: 5, write },
}));

const settingsConnection = await openServerConnection({ url: config.settingsUrl });
const server = new Server({
  Probot: Probot.defaults({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: config.githubUrl,
    Octokit,
    log,
  }),
  host: "127.0.0.1",
  port: config.port,
  log,
  enableStaticFiles: false,
});
await server.load(
  createHostedApp({
    // As in production: SIGTERM drains the queue (running analyses finish or are taken over).
    app: { ...settingsFromEnv({}), concurrency: 3, handleSignals: true },
    redis: {
      url: config.redisUrl,
      concurrency: 3,
      perInstallationConcurrency: 2,
      leaseMs: config.leaseMs,
      pollMs: 100,
      backoffMs: 200,
      prefix: config.prefix,
    },
    hosted: {
      settingsConnection,
      box: createSecretBox({ current: config.secretKey }),
      allowPrivateAddresses: true,
      setup: {
        publicUrl: `http://127.0.0.1:${config.port}`,
        github: { webUrl: config.githubUrl, apiUrl: config.githubUrl },
        oauth: { clientId: "Iv1.fakeclientid", clientSecret: "fake-client-secret" },
      },
    },
  }),
);
await server.start();
log.info("replica ready");
