// Runs the built azflow command as a user would, from the checkout, and reads what it recorded in
// the app's run ledger (the same Azurite tables the command writes).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { TableClient } from "@azure/data-tables";
import { DAG_RUNS_TABLE, RunLedger, TASK_INSTANCES_TABLE } from "../../../functions/ledger/run-ledger";
import { azuriteConnectionString } from "../../support/services";

export const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const CLI = path.join(ROOT, "dist", "tools", "cli", "main.js");
/** The test app with the cli_* DAGs. */
export const CLI_APP = path.join(ROOT, "dist", "test", "apps", "cli-dags", "index.js");

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export function azflow(args: string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`azflow ${args.join(" ")} did not finish within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

export function appLedger(): RunLedger {
  const table = (name: string) => TableClient.fromConnectionString(azuriteConnectionString(), name, { allowInsecureConnection: true });
  return new RunLedger(table(DAG_RUNS_TABLE), table(TASK_INSTANCES_TABLE));
}

/** A table row of `dags test` output: task, map_index, state, try (the columns before duration). */
export function taskRow(out: string, taskId: string): string[] | undefined {
  // Table cells are two or more spaces apart; task log lines start `<task> map_index=...`.
  const line = out.split("\n").find((l) => l.startsWith(taskId) && /^\s{2,}-?\d+\s/.test(l.slice(taskId.length)));
  return line?.trim().split(/\s{2,}/);
}

// A random day per test process (1970-2069), so runs of the shared ledger rarely meet earlier ones.
const BASE_DAY = Math.floor(Math.random() * 36_500);

/** A day for this test process's runs; tests that must not find old runs also clear the range. */
export function freshDay(offsetDays = 0): string {
  return new Date((BASE_DAY + offsetDays) * 86_400_000).toISOString().slice(0, 10);
}
