// Installs and downloads run as children whose output goes to a log file, not the terminal, so a
// failure prints one line pointing at the log instead of pages of Maven or pip output.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface LoggedRun {
  code: number | null;
  /** The last lines of output, to quote in an error. */
  tail: string;
}

export async function runLogged(
  command: string,
  args: string[],
  logFile: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; uid?: number; gid?: number } = {},
): Promise<LoggedRun> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: "a" });
  log.write(`\n--- ${new Date().toISOString()} ${path.basename(command)} ${args.join(" ")}\n`);
  let tail = "";
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    uid: options.uid,
    gid: options.gid,
  });
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
  const code = await new Promise<number | null>((resolve) => {
    child.once("error", (err) => {
      keep(Buffer.from(String(err)));
      resolve(null);
    });
    child.once("close", (c) => resolve(c));
  });
  if (timer) clearTimeout(timer);
  await new Promise<void>((resolve) => log.end(resolve));
  return { code, tail };
}

/** The last meaningful line of a tool's output, for a one-line error. */
export function lastLine(tail: string): string {
  const escape = String.fromCharCode(27); // Maven colours its output even with -B
  const lines = tail.split(/\r?\n/).map((l) => l.split(escape).map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, ""))).join("").trim()).filter((l) => l !== "");
  return lines[lines.length - 1] ?? "";
}
