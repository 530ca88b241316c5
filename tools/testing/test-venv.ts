// The Python venv for test-only tools (test/requirements.txt) at .local/test-venv, created with the
// machine's python3 when missing and reinstalled when the requirements change. Tests call
// ensureTestVenv() and get the venv's python; a machine that cannot make it skips those tests
// locally with the reason and fails them in CI (see needTestVenv).
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { TestContext } from "node:test";
import { runLogged, lastLine } from "../services/run-logged";

const MARKER = ".azflow-requirements.sha256";

export interface TestVenvOptions {
  projectRoot?: string;
  /** The interpreter that creates the venv; default AZFLOW_PYTHON or python3. */
  python?: string;
}

function projectRootFrom(dir: string): string {
  // dist/tools/testing -> the checkout
  const up = path.resolve(dir, "..", "..");
  return path.basename(up) === "dist" ? path.dirname(up) : up;
}

let pending: Promise<string> | undefined;

/** Resolves to the venv's python, installing test/requirements.txt first when needed. */
export function ensureTestVenv(options: TestVenvOptions = {}): Promise<string> {
  pending ??= create(options).catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function create(options: TestVenvOptions): Promise<string> {
  const root = options.projectRoot ?? projectRootFrom(__dirname);
  const localDir = path.resolve(root, process.env.AZFLOW_LOCAL_DIR || ".local");
  const venv = path.join(localDir, "test-venv");
  const python = path.join(venv, "bin", "python");
  const requirements = path.join(root, "test", "requirements.txt");
  const hash = createHash("sha256").update(fs.readFileSync(requirements)).digest("hex");
  const marker = path.join(venv, MARKER);
  if (fs.existsSync(python) && fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === hash) return python;
  const logFile = path.join(localDir, "logs", "test-venv.log");
  if (!fs.existsSync(python)) {
    const base = options.python ?? (process.env.AZFLOW_PYTHON || "python3");
    const made = await runLogged(base, ["-m", "venv", venv], logFile, { timeoutMs: 5 * 60_000 });
    if (made.code !== 0) throw new Error(`creating ${venv} with ${base} failed (${lastLine(made.tail)}); see ${logFile}`);
  }
  fs.rmSync(marker, { force: true });
  const pip = await runLogged(python, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", requirements], logFile, { timeoutMs: 20 * 60_000 });
  if (pip.code !== 0) throw new Error(`pip install -r test/requirements.txt failed (${lastLine(pip.tail).slice(0, 200)}); see ${logFile}`);
  fs.writeFileSync(marker, `${hash}\n`);
  return python;
}

/** In a test: the venv's python, or undefined after skipping the test (locally) when it cannot be made; CI fails. */
export async function needTestVenv(t: TestContext): Promise<string | undefined> {
  try {
    return await ensureTestVenv();
  } catch (err) {
    const reason = `the test venv cannot be made here: ${(err as Error).message}`;
    if (/^(1|true|yes)$/i.test(process.env.CI ?? "")) throw new Error(`${reason}; CI=true makes this a failure`);
    t.skip(reason);
    return undefined;
  }
}
