// `npm run package`: the deployable app as `func azure functionapp publish` and `azd deploy`
// upload it to Flex Consumption: the built app code (dist/functions, dist/orchestrations), host.json,
// a package.json and lock trimmed to production, production node_modules installed from the lock,
// SQL files, PySpark jobs and the built web UI (dist/ui; its React sources and packages stay
// out). Laid out in .local/package/app and zipped to .local/package/azflow.zip.
// Tests, tools, benches, sources and source maps stay out.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ZipFile } from "yazl";

export interface PackageResult {
  appDir: string;
  zipPath: string;
  zipBytes: number;
  files: number;
}

/** What goes into the package, relative to the project root (directories are copied whole). */
const CONTENT = ["host.json", "dist/functions", "dist/orchestrations", "dist/ui", "orchestrations/sql", "jobs"];
/** Never packaged, wherever they sit. */
const EXCLUDED = [/\.map$/, /\.ts$/, /(^|\/)tests?(\/|$)/, /(^|\/)__pycache__(\/|$)/];

function isExcluded(rel: string): boolean {
  return EXCLUDED.some((re) => re.test(rel.split(path.sep).join("/")));
}

function copyTree(from: string, to: string): number {
  if (!fs.existsSync(from)) return 0;
  const stat = fs.statSync(from);
  if (stat.isFile()) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    return 1;
  }
  let n = 0;
  for (const entry of fs.readdirSync(from)) {
    if (isExcluded(entry)) continue;
    n += copyTree(path.join(from, entry), path.join(to, entry));
  }
  return n;
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" } });
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} failed (${code}):\n${output.slice(-2000)}`))));
  });
}

/** package.json for the deployed app: its name, version, entry and production dependencies only. */
function productionManifest(root: string): Record<string, unknown> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, unknown>;
  return {
    name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, private: true,
    main: pkg.main, engines: pkg.engines, dependencies: pkg.dependencies,
  };
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else if (entry.isFile()) out.push(path.relative(base, full));
  }
  return out.sort();
}

function zipDirectory(dir: string, zipPath: string): Promise<number> {
  const files = listFiles(dir);
  const zip = new ZipFile();
  for (const rel of files) {
    const mode = fs.statSync(path.join(dir, rel)).mode;
    zip.addFile(path.join(dir, rel), rel.split(path.sep).join("/"), { mode });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const out = fs.createWriteStream(zipPath);
    zip.outputStream.pipe(out).once("error", reject);
    out.once("close", () => resolve(files.length));
  });
}

/** Lays out and zips the package; the project must be built (npm run build) first. */
export async function packageApp(root: string, outDir = path.join(root, ".local", "package")): Promise<PackageResult> {
  if (!fs.existsSync(path.join(root, "dist", "functions", "index.js"))) throw new Error("dist/functions/index.js is missing: run npm run build first.");
  const appDir = path.join(outDir, "app");
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.mkdirSync(appDir, { recursive: true });
  for (const item of CONTENT) copyTree(path.join(root, item), path.join(appDir, item));
  fs.writeFileSync(path.join(appDir, "package.json"), `${JSON.stringify(productionManifest(root), null, 2)}\n`);
  fs.copyFileSync(path.join(root, "package-lock.json"), path.join(appDir, "package-lock.json"));
  // From the lock, without dev packages and without install scripts (the deployed app runs none).
  // Optional packages stay: they carry native builds for this platform (the canvas the report
  // charts render with), and Azure's Flex Consumption runs Linux x64 like this machine. Core Tools,
  // an optional package of the checkout only, is not in the trimmed manifest.
  await run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], appDir);
  const zipPath = path.join(outDir, "azflow.zip");
  fs.rmSync(zipPath, { force: true });
  const files = await zipDirectory(appDir, zipPath);
  return { appDir, zipPath, zipBytes: fs.statSync(zipPath).size, files };
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..", "..", "..");
  packageApp(root).then(
    (r) => console.log(`${path.relative(root, r.zipPath)}: ${(r.zipBytes / 1024 / 1024).toFixed(1)} MB, ${r.files} files (laid out in ${path.relative(root, r.appDir)})`),
    (err: unknown) => {
      console.error(`azflow package: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
