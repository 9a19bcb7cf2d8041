// Re-adds package-lock.json entries for chdb's other-platform binaries. The registry this
// project installs from does not serve them, so `npm install` drops them, and `npm ci` then
// refuses the lock ("Missing: @chdb/lib-darwin-arm64@ from lock file"). Run after any
// `npm install`: `node scripts/fix-chdb-lock.cjs`.
const fs = require("node:fs");

const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const version = lock.packages["node_modules/chdb"].optionalDependencies["@chdb/lib-linux-x64-gnu"];
const platforms = {
  "lib-darwin-arm64": { os: "darwin", cpu: "arm64" },
  "lib-darwin-x64": { os: "darwin", cpu: "x64" },
  "lib-linux-arm64-gnu": { os: "linux", cpu: "arm64", libc: "glibc" },
};
for (const [name, { os, cpu, libc }] of Object.entries(platforms)) {
  const entry = { version, cpu: [cpu], os: [os], license: "Apache-2.0", optional: true };
  if (libc) entry.libc = [libc];
  lock.packages[`node_modules/@chdb/${name}`] = entry;
}
const byPath = (a, b) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1);
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => byPath(a, b)));
fs.writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
