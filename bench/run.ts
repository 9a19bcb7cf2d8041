/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own process, one after another,
 * so each measures on a quiet heap. Pass names to run a subset: `npm run bench -- diff`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();

let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n== ${bench}\n`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--expose-gc", join(here, bench)],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) failed += 1;
}
if (benches.length === 0) process.stdout.write("no benchmarks matched\n");
process.exitCode = failed === 0 ? 0 : 1;
