/**
 * The GitHub App as hosted for Marketplace installs: the same `createApp`, plus
 * - per-installation telemetry settings (setup page + `storeFor`) when `hosted` is given,
 * - the Redis queue shared by every replica when `redis` is given.
 * Without either it is exactly the self-hosted app.
 */
import type { ApplicationFunction } from "probot";
import { openServerConnection } from "../../telemetry/server-connection.ts";
import type { ClickHouseConnection } from "../../telemetry/types.ts";
import { type AppOptions, createApp } from "../app.ts";
import { defaultStoreFor } from "../default-store-for.ts";
import { type RedisQueueOptions, redisQueueFactory } from "../redis-queue.ts";
import { assertPublicAddress } from "./assert-public-address.ts";
import { createHostedStoreFor } from "./hosted-store-for.ts";
import type { SecretBox } from "./secret-box.ts";
import { createSettingsStore } from "./settings-store.ts";
import {
  createSetupHandler,
  type OpenConnection,
  type SetupHandlerOptions,
} from "./setup-handler.ts";

export interface HostedSettingsOptions {
  /** The operator's ClickHouse, holding Faultline's own settings table. */
  settingsConnection: ClickHouseConnection;
  /** Database of the settings table; default `default`. */
  settingsDatabase?: string;
  box: SecretBox;
  /**
   * Let installations connect to loopback/private addresses. Off by default: users type the
   * URLs, and the app must not become a probe into the operator's network.
   */
  allowPrivateAddresses?: boolean;
  setup: Omit<SetupHandlerOptions, "box" | "settings" | "openConnection" | "checkAddress"> & {
    openConnection?: OpenConnection;
  };
}

export interface HostedAppOptions {
  app: AppOptions;
  /** Shared analysis queue across replicas; absent: the in-process queue. */
  redis?: Omit<RedisQueueOptions, "processor" | "log">;
  /** Per-installation settings and the setup page; absent: settings from the environment only. */
  hosted?: HostedSettingsOptions;
}

/**
 * @example
 * await server.load(createHostedApp({ app: settingsFromEnv(), redis: { url: process.env.REDIS_URL! } }));
 */
export function createHostedApp(options: HostedAppOptions): ApplicationFunction {
  return async (app, appFnOptions) => {
    const log = app.log.child({ name: "faultline-hosted" });
    let storeFor = options.app.storeFor;
    const hosted = options.hosted;
    if (hosted) {
      const settings = createSettingsStore(hosted.settingsConnection, hosted.box, {
        ...(hosted.settingsDatabase ? { database: hosted.settingsDatabase } : {}),
      });
      await settings.init();
      // Key rotation: re-seal what the previous key sealed. Every replica may do it; the
      // newest row wins and all rows decrypt to the same password.
      void settings
        .rotate()
        .then((count) => count > 0 && log.info({ count }, "re-sealed installation secrets"))
        .catch((error: unknown) =>
          log.error({ message: String(error) }, "re-sealing installation secrets failed"),
        );
      const checkAddress = hosted.allowPrivateAddresses ? undefined : assertPublicAddress;
      storeFor = createHostedStoreFor({
        settings,
        ...(checkAddress ? { checkAddress } : {}),
        fallback: storeFor ?? defaultStoreFor(options.app),
        requestTimeoutMs: options.app.telemetryTimeoutMs,
      });
      appFnOptions.addHandler(
        createSetupHandler({
          ...hosted.setup,
          box: hosted.box,
          settings,
          ...(checkAddress ? { checkAddress } : {}),
          openConnection:
            hosted.setup.openConnection ??
            ((target) =>
              openServerConnection({
                ...target,
                requestTimeoutMs: options.app.telemetryTimeoutMs,
              })),
          log: {
            info: (message: string) => log.info(message),
            warn: (message: string) => log.warn(message),
            error: (message: string) => log.error(message),
          },
        }),
      );
      app.on("installation.deleted", async (context) => {
        await settings.remove(context.payload.installation.id);
        log.info(
          { installationId: context.payload.installation.id },
          "installation settings removed",
        );
      });
    }
    const queue = options.redis ? redisQueueFactory({ ...options.redis, log }) : options.app.queue;
    await createApp({
      ...options.app,
      ...(storeFor ? { storeFor } : {}),
      ...(queue ? { queue } : {}),
      // With replicas, the check run is created when the job runs, under the per-PR lock,
      // so concurrent deliveries to different replicas cannot create two.
      createCheckOnDelivery: options.redis ? false : options.app.createCheckOnDelivery,
    })(app, appFnOptions);
  };
}
