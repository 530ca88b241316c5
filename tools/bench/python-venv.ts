// The benchmarks' Python: .local/bench-venv with bench/requirements.txt, created on first use and
// reinstalled when the file changes (a marker holds the requirements' hash).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const VENV = path.join(ROOT, ".local", "bench-venv");
const REQUIREMENTS = path.join(ROOT, "bench", "requirements.txt");
const MARKER = ".azflow-requirements";

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}); check Python 3 with venv and access to PyPI`);
}

/** The venv's python, ready with bench/requirements.txt. */
export function benchPython(): string {
  const python = path.join(VENV, "bin", "python");
  const hash = createHash("sha256").update(fs.readFileSync(REQUIREMENTS)).digest("hex");
  const marker = path.join(VENV, MARKER);
  if (fs.existsSync(python) && fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === hash) return python;
  if (!fs.existsSync(python)) run(process.env.AZFLOW_PYTHON || "python3", ["-m", "venv", VENV], `creating ${VENV}`);
  run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "-r", REQUIREMENTS], "pip install -r bench/requirements.txt");
  fs.writeFileSync(marker, `${hash}\n`);
  return python;
}
