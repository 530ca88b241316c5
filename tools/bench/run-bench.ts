// `npm run bench -- <name...> [--option value ...]`: runs dist/bench/<name>.js, each in its own
// process, passing on the options (e.g. `parquet --rows 250000`); with no name, every benchmark
// script in dist/bench (app entries live in bench/apps/ or end in -app).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const BENCH_DIR = path.resolve(__dirname, "..", "..", "bench");

function available(): string[] {
  return fs.readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".js") && !f.endsWith("-app.js") && f !== "dag-shape.js")
    .map((f) => f.slice(0, -3))
    .sort();
}

function main(args: string[]): number {
  // Names first, then options (--airflow, --rows N, ...), which go to each benchmark.
  const firstOption = args.findIndex((a) => a.startsWith("-"));
  const names = firstOption < 0 ? args : args.slice(0, firstOption);
  const options = firstOption < 0 ? [] : args.slice(firstOption);
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
