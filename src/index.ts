/**
 * The Faultline GitHub App (`probot run ./src/index.ts`). Settings come from the
 * environment (see `src/github/settings.ts`); `REDIS_URL` adds the shared queue for
 * replicas and `FAULTLINE_PUBLIC_URL` hosted mode (see `src/github/hosted/hosted-app-from-env.ts`).
 * Without either it is the self-hosted single-process app.
 */
import { hostedAppFromEnv } from "./github/hosted/hosted-app-from-env.ts";

export default await hostedAppFromEnv(process.env);
