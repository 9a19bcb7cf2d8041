import { TelemetryUnavailableError } from "../errors.ts";
import { renderMessage } from "../report/render-message.ts";
import type { TelemetryStore } from "../telemetry/types.ts";

/**
 * Bounds every call on a telemetry store: a slow ClickHouse becomes a
 * `TelemetryUnavailableError` (the report says so and the gate goes neutral or fails
 * closed) instead of a check stuck in progress.
 */
export function withTelemetryTimeout(
  store: TelemetryStore,
  timeoutMs: number,
  signal?: AbortSignal,
): TelemetryStore {
  const bounded =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      withTimeout(call(...args), timeoutMs, signal);
  return {
    init: bounded(() => store.init()),
    status: bounded(() => store.status()),
    functionTelemetry: bounded((request) => store.functionTelemetry(request)),
    inputSamples: bounded((request) => store.inputSamples(request)),
    close: () => store.close(),
  };
}

/** Resolves with `promise`, or rejects once `timeoutMs` passes or `signal` aborts. */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const seconds = Math.round(timeoutMs / 100) / 10;
    const timer = setTimeout(
      () =>
        reject(
          new TelemetryUnavailableError(
            renderMessage("app-run", { kind: "telemetry-timeout", seconds }),
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
