// The Python venv for test-only tools (test/requirements.txt: checkov and pycep-parser for infra/,
// Airflow's Python client and schemathesis for the REST API) at .local/test-venv, created with the
// machine's python when missing and reinstalled when the requirements change, so a fresh clone
// needs nothing by hand. Tests call ensureTestVenv(), or needTestVenv(t), which skips locally with
// the reason when the venv cannot be made and fails in CI.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { TestContext } from "node:test";
import { CliError } from "../cli/cli-error";
import { requirePython } from "../services/prerequisites";
import { lastLine, runLogged } from "../services/run-logged";
import { serviceSettings } from "../services/settings";

const MARKER = ".azflow-requirements.sha256";

export interface TestVenv {
  /** The venv's python executable. */
  python: string;
  /** Its bin directory (console scripts such as schemathesis's `st`). */
  bin: string;
}

let pending: Promise<TestVenv> | undefined;

/** Creates or updates .local/test-venv from test/requirements.txt; safe to call from every test. */
export function ensureTestVenv(): Promise<TestVenv> {
  pending ??= create().catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function create(): Promise<TestVenv> {
  const s = serviceSettings();
  const venv = path.join(s.localDir, "test-venv");
  const requirements = path.join(s.projectRoot, "test", "requirements.txt");
  const bin = path.join(venv, "bin");
  const python = path.join(bin, "python");
  const hash = createHash("sha256").update(fs.readFileSync(requirements)).digest("hex");
  const marker = path.join(venv, MARKER);
  if (fs.existsSync(python) && fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === hash) return { python, bin };
  requirePython(s.spark.python);
  fs.mkdirSync(s.logDir, { recursive: true });
  const logFile = path.join(s.logDir, "test-venv-pip.log");
  if (!fs.existsSync(python)) {
    const made = await runLogged(s.spark.python, ["-m", "venv", venv], logFile, { timeoutMs: 5 * 60_000 });
    if (made.code !== 0) throw new CliError(`creating the test venv at ${venv} failed (${lastLine(made.tail)}); see ${logFile}`);
  }
  fs.rmSync(marker, { force: true });
  const pip = await runLogged(python, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", requirements], logFile, { timeoutMs: 20 * 60_000 });
  if (pip.code !== 0) {
    throw new CliError(`pip install -r test/requirements.txt failed (${lastLine(pip.tail).slice(0, 200)}); check access to PyPI (or PIP_INDEX_URL) and see ${logFile}`);
  }
  fs.writeFileSync(marker, `${hash}\n`);
  return { python, bin };
}

/** In a test: the venv, or undefined after skipping the test (locally) when it cannot be made; CI fails. */
export async function needTestVenv(t: TestContext): Promise<TestVenv | undefined> {
  try {
    return await ensureTestVenv();
  } catch (err) {
    const reason = `the test venv cannot be made here: ${(err as Error).message}`;
    if (/^(1|true|yes)$/i.test(process.env.CI ?? "")) throw new Error(`${reason}; CI=true makes this a failure`);
    t.skip(reason);
    return undefined;
  }
}
