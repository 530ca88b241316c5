// `npm test`: starts the local services that are not running, runs every compiled test under
// dist/test with node's test runner, stops only the services it started, and exits with the
// tests' exit code. Arguments are passed on to `node --test` (files, --test-name-pattern, ...).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CliError } from "../cli/cli-error";
import { downService, upService } from "../services/lifecycle";
import { PrerequisiteError } from "../services/prerequisites";
import { SERVICES } from "../services/registry";
import type { LocalService } from "../services/service";
import { serviceSettings, type ServiceSettings } from "../services/settings";
import { ensureTestVenv } from "./python-tests";

/** Read by test/support/services.ts: tests of these services skip locally and fail in CI. */
const UNAVAILABLE_SERVICES_ENV = "AZFLOW_SERVICES_UNAVAILABLE";

function isCi(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? "");
}

function say(text: string): void {
  // stderr, so stdout is exactly node's test output and ends with its summary lines.
  console.error(`[run-tests] ${text}`);
}

interface Started {
  started: LocalService[];
  unavailable: string[];
}

async function startMissing(s: ServiceSettings): Promise<Started> {
  const started: LocalService[] = [];
  const unavailable: string[] = [];
  for (const svc of SERVICES.filter((x) => !x.onDemand)) {
    try {
      const r = await upService(svc, s);
      // Spark has no process: "ready" installs something but leaves nothing to stop.
      if (r.state === "started") started.push(svc);
      say(`${svc.name.padEnd(9)} ${r.state} (${r.seconds.toFixed(1)} s)`);
    } catch (err) {
      if (err instanceof PrerequisiteError && !isCi()) {
        say(`${svc.name.padEnd(9)} unavailable, its tests will be skipped: ${err.message}`);
        unavailable.push(svc.name);
        continue;
      }
      await stopStarted(s, started);
      throw err;
    }
  }
  return { started, unavailable };
}

async function stopStarted(s: ServiceSettings, started: LocalService[]): Promise<void> {
  for (const svc of [...started].reverse()) {
    const r = await downService(svc, s).catch((err: unknown) => ({ state: `failed to stop: ${String(err)}`, seconds: 0 }));
    say(`${svc.name.padEnd(9)} ${r.state} (${r.seconds.toFixed(1)} s)`);
  }
}

/**
 * Every *.test.js under dir. Given the directory itself, node would also run every other .js file
 * below a folder named "test" (its default pattern), i.e. the test apps and helpers.
 */
function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(full));
    else if (entry.name.endsWith(".test.js")) out.push(full);
  }
  return out.sort();
}

function runNodeTest(s: ServiceSettings, args: string[], unavailable: string[]): Promise<number> {
  const hasConcurrency = args.some((a) => a.startsWith("--test-concurrency"));
  const hasTargets = args.some((a) => !a.startsWith("-"));
  const nodeArgs = [
    "--test",
    // Two cores shared with the services: test files run one at a time unless asked otherwise.
    ...(hasConcurrency ? [] : ["--test-concurrency=1"]),
    ...args,
    ...(hasTargets ? [] : testFiles(path.join(s.projectRoot, "dist", "test"))),
  ];
  const child = spawn(process.execPath, nodeArgs, {
    cwd: s.projectRoot,
    stdio: "inherit",
    env: { ...process.env, [UNAVAILABLE_SERVICES_ENV]: unavailable.join(",") },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) => {
    child.once("error", (err) => {
      console.error(`[run-tests] could not start node --test: ${err.message}`);
      resolve(1);
    });
    child.once("close", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main(args: string[]): Promise<number> {
  const s = serviceSettings();
  const began = Date.now();
  const { started, unavailable } = await startMissing(s);
  if (!unavailable.includes("spark")) {
    // pytest for the PySpark jobs' own tests (test/jobs/pytest.test.ts runs them).
    await ensureTestVenv(s).catch(async (err: unknown) => {
      await stopStarted(s, started);
      throw err;
    });
  }
  say(`services ready in ${((Date.now() - began) / 1000).toFixed(1)} s; started here: ${started.map((x) => x.name).join(", ") || "none"}`);
  let code = 1;
  try {
    code = await runNodeTest(s, args, unavailable);
  } finally {
    await stopStarted(s, started);
  }
  // After the stop lines, so CI sees the runner's verdict last; node's own summary is just above.
  say(`tests exited with code ${code}`);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) console.error(`azflow: ${err.message}`);
    else console.error(err);
    process.exitCode = 1;
  },
);
