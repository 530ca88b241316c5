// `npm run bench -- <name...> [--option value ...]`: runs dist/bench/<name>.js, each in its own process; with no name,
// every benchmark script in dist/bench (app entries live in bench/apps/ or end in -app).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const BENCH_DIR = path.resolve(__dirname, "..", "..", "bench");

function available(): string[] {
  return fs.readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".js") && !f.endsWith("-app.js"))
    .map((f) => f.slice(0, -3))
    .sort();
}

function main(argv: string[]): number {
  // `ingest --messages 1000`: the names come first, options after them go to each benchmark.
  const firstOption = argv.findIndex((a) => a.startsWith("-"));
  const names = firstOption < 0 ? argv : argv.slice(0, firstOption);
  const options = firstOption < 0 ? [] : argv.slice(firstOption);
  const known = available();
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")} (available: ${known.join(", ")})`);
    return 2;
  }
  let failed = 0;
  for (const name of names.length ? names : known) {
    console.log(`== bench ${name}`);
    const r = spawnSync(process.execPath, [path.join(BENCH_DIR, `${name}.js`), ...options], { stdio: "inherit" });
    if (r.status !== 0) {
      console.error(`bench ${name} exited ${r.status ?? r.signal}`);
      failed++;
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
