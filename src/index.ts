/**
 * The Faultline GitHub App (`probot run ./src/index.ts`). Settings come from the
 * environment (see `src/github/settings.ts`).
 */
import { createApp } from "./github/app.ts";
import { settingsFromEnv } from "./github/settings.ts";

export default createApp({ ...settingsFromEnv(), handleSignals: true });
