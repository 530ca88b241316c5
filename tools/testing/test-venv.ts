// The Python venv that tests use for Python-only test tools (`.local/test-venv`, from
// test/requirements.txt). Created on first use and reinstalled when the requirements change, so a
// fresh clone needs nothing by hand; tests call ensureTestVenv() and run the python it returns.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
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
