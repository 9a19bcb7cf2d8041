import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // chDB holds one embedded database per process: forks keep test files isolated.
    pool: "forks",
  },
});
