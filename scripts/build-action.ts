/**
 * Builds the GitHub Action bundle: `action/dist/index.js` (one ESM file, esbuild) plus the
 * native tree-sitter bindings and the Handlebars templates it needs, so the Action runs
 * from a checkout with no `node_modules`.
 *
 *   tsx scripts/build-action.ts            build into action/dist
 *   tsx scripts/build-action.ts --check    build into a temp dir, fail when action/dist differs
 *   tsx scripts/build-action.ts --refresh-compat   re-take the compat binary from node_modules
 *   tsx scripts/build-action.ts --outdir DIR       build elsewhere (tests run the fresh bundle)
 *   tsx scripts/build-action.ts --from-head        build action/dist from the committed sources
 *                                                  only (a shared work tree may hold others' edits)
 *
 * Native bindings: each package loads its `.node` file via `node-gyp-build(__dirname)`,
 * which needs the package's own directory layout. The plugin below rewrites those calls
 * to `loadNativeBinding(name, files)` (src/action/load-native-binding.ts), which loads the
 * files copied next to the bundle under `native/<platform>-<arch>/`.
 *
 * Only linux-x64 is shipped: tree-sitter-typescript 0.23.2's "linux-arm64" prebuild is an
 * x86-64 binary (checked below), so an arm64 bundle could not parse TypeScript.
 *
 * The upstream tree-sitter linux-x64 prebuild needs libstdc++ with GLIBCXX_3.4.31 (GCC 13,
 * Ubuntu 24.04+). A compatibility build of the same binding (compiled against an older
 * libstdc++, e.g. node_modules/tree-sitter/build/Release when node-gyp built it) is shipped
 * beside it as `tree-sitter.compat.node` and tried second. It is a vendored binary: the
 * build keeps the committed copy, so the bundle stays reproducible on machines that did
 * not compile it; `--refresh-compat` replaces it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const committedDist = join(root, "action", "dist");
const TARGET = "linux-x64";
const ELF_MACHINE_X86_64 = 62;

interface NativeBinding {
  /** Package whose loader gets rewritten. */
  pkg: string;
  /** The loader file inside the package, and the exact call it makes. */
  loader: string;
  call: RegExp;
  /** Files shipped in native/linux-x64/, tried in this order. */
  files: { name: string; from: string; vendored?: boolean }[];
}

// The bun branch is dropped too: its template-literal require cannot be bundled.
const gypCall = (arg: string): RegExp =>
  new RegExp(
    String.raw`typeof process\.versions\.bun === "string"[\s\S]*?:\s*require\(['"]node-gyp-build['"]\)\(${arg}\)`,
  );

const NATIVE: NativeBinding[] = [
  {
    pkg: "tree-sitter",
    loader: "index.js",
    call: gypCall("__dirname"),
    files: [
      { name: "tree-sitter.node", from: `prebuilds/${TARGET}/tree-sitter.node` },
      {
        name: "tree-sitter.compat.node",
        from: "build/Release/tree_sitter_runtime_binding.node",
        vendored: true,
      },
    ],
  },
  {
    pkg: "tree-sitter-javascript",
    loader: "bindings/node/index.js",
    call: gypCall("root"),
    files: [
      {
        name: "tree-sitter-javascript.node",
        from: `prebuilds/${TARGET}/tree-sitter-javascript.node`,
      },
    ],
  },
  {
    pkg: "tree-sitter-typescript",
    loader: "bindings/node/index.js",
    call: gypCall("root"),
    files: [
      {
        name: "tree-sitter-typescript.node",
        from: `prebuilds/${TARGET}/tree-sitter-typescript.node`,
      },
    ],
  },
];

const loadNativePath = join(root, "src", "action", "load-native-binding.ts");

function nativeBindingsPlugin(): Plugin {
  return {
    name: "faultline-native-bindings",
    setup(pluginBuild) {
      for (const binding of NATIVE) {
        // Paths as esbuild reports them: symlinks kept (see preserveSymlinks below).
        const loaderPath = join(root, "node_modules", binding.pkg, binding.loader);
        pluginBuild.onLoad({ filter: /\.js$/ }, async (args) => {
          if (args.path !== loaderPath) return undefined;
          const source = await readFile(args.path, "utf8");
          if (!binding.call.test(source)) {
            throw new Error(
              `${binding.pkg}/${binding.loader} no longer calls node-gyp-build as expected; update scripts/build-action.ts`,
            );
          }
          const files = JSON.stringify(binding.files.map((file) => file.name));
          const replacement = `require(${JSON.stringify(loadNativePath)}).loadNativeBinding(${JSON.stringify(binding.pkg)}, ${files})`;
          return { contents: source.replace(binding.call, replacement), loader: "js" };
        });
      }
    },
  };
}

/**
 * Sources find `templates/` relative to their own file (`new URL("../../templates/",
 * import.meta.url)`); in the bundle `import.meta.url` is dist/index.js and the templates
 * are copied to dist/templates/.
 */
function templatesNextToBundlePlugin(): Plugin {
  const templatesUrl = /new URL\("(?:\.\.\/)+templates\/", import\.meta\.url\)/g;
  return {
    name: "faultline-templates",
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const contents = source.replace(templatesUrl, 'new URL("./templates/", import.meta.url)');
        return contents === source ? undefined : { contents, loader: "ts" };
      });
    },
  };
}

/** chDB (embedded ClickHouse) is not shipped: the Action talks to a ClickHouse server. */
function chdbStubPlugin(): Plugin {
  return {
    name: "faultline-no-chdb",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^chdb$/ }, () => ({ path: "chdb", namespace: "no-chdb" }));
      pluginBuild.onLoad({ filter: /.*/, namespace: "no-chdb" }, () => ({
        contents:
          'throw new Error("the GitHub Action does not bundle chDB; set the clickhouse-url input to your ClickHouse server");',
        loader: "js",
      }));
    },
  };
}

// CommonJS dependencies call require() and read __dirname; an ESM bundle has neither.
const banner = [
  'import { createRequire as __faultlineCreateRequire } from "node:module";',
  'import { fileURLToPath as __faultlineFileURLToPath } from "node:url";',
  'import { dirname as __faultlineDirname } from "node:path";',
  "const require = __faultlineCreateRequire(import.meta.url);",
  "const __filename = __faultlineFileURLToPath(import.meta.url);",
  "const __dirname = __faultlineDirname(__filename);",
].join("\n");

async function bundle(outdir: string): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, "src", "action", "run.ts")],
    outfile: join(outdir, "index.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: banner },
    legalComments: "none",
    minifySyntax: true,
    minifyWhitespace: true,
    // --from-head builds in a temp tree whose node_modules is a symlink to this one; real
    // paths would put "../../../work/…/node_modules" into the bundle's module labels, so a
    // bundle built from HEAD would never equal one built in place (`--check` and CI).
    preserveSymlinks: true,
    logLevel: "warning",
    plugins: [nativeBindingsPlugin(), templatesNextToBundlePlugin(), chdbStubPlugin()],
  });
}

async function elfMachine(path: string): Promise<number> {
  const header = await readFile(path);
  if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path} is not an ELF binary`);
  return header.readUInt16LE(18);
}

async function copyNative(outdir: string, refreshCompat: boolean): Promise<void> {
  const target = join(outdir, "native", TARGET);
  await mkdir(target, { recursive: true });
  for (const binding of NATIVE) {
    for (const file of binding.files) {
      const fromPackage = join(root, "node_modules", binding.pkg, file.from);
      const committed = join(committedDist, "native", TARGET, file.name);
      const source =
        file.vendored && !refreshCompat && existsSync(committed) ? committed : fromPackage;
      if (!existsSync(source)) {
        if (file.vendored) {
          console.warn(`build-action: no ${file.name} (compile tree-sitter with node-gyp first)`);
          continue;
        }
        throw new Error(`missing ${relative(root, source)}: run npm ci`);
      }
      if ((await elfMachine(source)) !== ELF_MACHINE_X86_64) {
        throw new Error(`${relative(root, source)} is not an x86-64 binary`);
      }
      const destination = join(target, file.name);
      if (resolve(source) !== resolve(destination)) await copyFile(source, destination);
    }
  }
}

/** Every `.hbs` under templates/, subfolders (e.g. templates/messages/) included. */
async function copyTemplates(outdir: string): Promise<void> {
  const from = join(root, "templates");
  const to = join(outdir, "templates");
  for (const name of await listFiles(from)) {
    if (!name.endsWith(".hbs")) continue;
    await mkdir(dirname(join(to, name)), { recursive: true });
    await copyFile(join(from, name), join(to, name));
  }
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

const digest = async (path: string): Promise<string> =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

async function buildInto(outdir: string, refreshCompat: boolean): Promise<void> {
  const keepCompat = join(outdir, "native", TARGET, "tree-sitter.compat.node");
  const compatBackup =
    outdir === committedDist && existsSync(keepCompat) ? await readFile(keepCompat) : null;
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  if (compatBackup) {
    await mkdir(dirname(keepCompat), { recursive: true });
    await writeFile(keepCompat, compatBackup);
  }
  await bundle(outdir);
  await copyNative(outdir, refreshCompat);
  await copyTemplates(outdir);
}

async function report(outdir: string): Promise<void> {
  let total = 0;
  for (const file of await listFiles(outdir)) {
    const size = (await stat(join(outdir, file))).size;
    total += size;
    console.log(`  ${file.padEnd(48)} ${(size / 1024).toFixed(0).padStart(6)} KiB`);
  }
  console.log(`  ${"total".padEnd(48)} ${(total / 1024).toFixed(0).padStart(6)} KiB`);
}

async function check(): Promise<number> {
  const temp = await mkdtemp(join(tmpdir(), "faultline-action-"));
  try {
    await buildInto(join(temp, "dist"), false);
    const built = await listFiles(join(temp, "dist"));
    const committed = await listFiles(committedDist);
    const stale = new Set<string>();
    for (const file of new Set([...built, ...committed])) {
      const a = join(temp, "dist", file);
      const b = join(committedDist, file);
      if (!existsSync(a) || !existsSync(b) || (await digest(a)) !== (await digest(b))) {
        stale.add(file);
      }
    }
    if (stale.size > 0) {
      console.error(
        `action/dist is stale (${[...stale].join(", ")}): run "npm run build:action" and commit action/dist`,
      );
      return 1;
    }
    console.log("action/dist is up to date");
    return 0;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Exports HEAD to a temp dir and runs this script's build there, into action/dist. */
async function buildFromHead(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), "faultline-action-head-"));
  try {
    const tree = join(temp, "tree");
    await mkdir(tree);
    execFileSync("git", [
      "-C",
      root,
      "archive",
      "--format=tar",
      "-o",
      join(temp, "head.tar"),
      "HEAD",
    ]);
    execFileSync("tar", ["-xf", join(temp, "head.tar"), "-C", tree]);
    await symlink(join(root, "node_modules"), join(tree, "node_modules"), "dir");
    execFileSync(
      process.execPath,
      ["--import", "tsx", join(tree, "scripts", "build-action.ts"), "--outdir", committedDist],
      { cwd: tree, stdio: "inherit" },
    );
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--check")) return check();
  if (argv.includes("--from-head")) {
    await buildFromHead();
    console.log(`built ${relative(root, committedDist)} from HEAD:`);
    await report(committedDist);
    return 0;
  }
  const outdirAt = argv.indexOf("--outdir");
  if (outdirAt >= 0) {
    const outdir = argv[outdirAt + 1];
    if (!outdir) throw new Error("--outdir needs a directory");
    const target = resolve(outdir);
    if (
      existsSync(target) &&
      (await readdir(target)).length > 0 &&
      !existsSync(join(target, "index.js"))
    ) {
      throw new Error(
        `--outdir ${outdir} is not empty and holds no previous bundle; refusing to replace it`,
      );
    }
    await buildInto(target, false);
    return 0;
  }
  await buildInto(committedDist, argv.includes("--refresh-compat"));
  console.log(`built ${relative(root, committedDist)}:`);
  await report(committedDist);
  try {
    execFileSync("git", ["-C", root, "check-ignore", "-q", "action/dist/index.js"]);
    console.warn("build-action: action/dist is git-ignored; the Action needs it committed");
  } catch {
    // Not ignored: good.
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
