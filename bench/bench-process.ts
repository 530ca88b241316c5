// What several benchmarks share: their numeric options, and a step run in a process of its own
// (so its peak resident memory is its own) that prints its figures as its last line of JSON.
import { spawn } from "node:child_process";

/** `--<name> N` from the command line: a positive whole number, or `fallback` when absent. */
export function positiveIntArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive whole number`);
  return v;
}

/** Runs a compiled script with node and resolves with the JSON object its last stdout line holds. */
export function runJsonChild<T>(script: string, args: string[], label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as T) : reject(new Error(`${label} exited ${code}`))));
  });
}
