// The Python side of `npm test`: pytest (test/requirements.txt) in its own venv, .local/test-venv,
// created when missing or when the requirements change. The jobs' own packages (pyspark and the
// rest of jobs/requirements.txt) come from the project venv through a .pth file, so they are
// installed once and the test venv holds only what tests need.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CliError } from "../cli/cli-error";
import { lastLine, runLogged } from "../services/run-logged";
import type { ServiceSettings } from "../services/settings";

const MARKER = ".azflow-requirements.sha256";

export function testVenv(s: ServiceSettings): string {
  return path.join(s.localDir, "test-venv");
}

export function testVenvPython(s: ServiceSettings): string {
  return path.join(testVenv(s), "bin", "python");
}

function sitePackages(venv: string): string | undefined {
  const lib = path.join(venv, "lib");
  const py = fs.existsSync(lib) ? fs.readdirSync(lib).find((d) => d.startsWith("python")) : undefined;
  return py ? path.join(lib, py, "site-packages") : undefined;
}

export async function ensureTestVenv(s: ServiceSettings): Promise<void> {
  const requirements = path.join(s.projectRoot, "test", "requirements.txt");
  const hash = createHash("sha256").update(fs.readFileSync(requirements)).update(s.spark.venv).digest("hex");
  const venv = testVenv(s);
  const marker = path.join(venv, MARKER);
  if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === hash) return;
  const logFile = path.join(s.logDir, "pip-test.log");
  // Made by the project venv's interpreter: the same Python version, so its packages load here.
  const base = path.join(s.spark.venv, "bin", "python");
  if (!fs.existsSync(testVenvPython(s))) {
    const made = await runLogged(fs.existsSync(base) ? base : s.spark.python, ["-m", "venv", venv], logFile, { timeoutMs: 5 * 60_000 });
    if (made.code !== 0) throw new CliError(`creating the test venv at ${venv} failed (${lastLine(made.tail)}); see ${logFile}`);
  }
  const pip = await runLogged(testVenvPython(s), ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", requirements], logFile, { timeoutMs: 15 * 60_000 });
  if (pip.code !== 0) throw new CliError(`pip install -r test/requirements.txt failed (${lastLine(pip.tail).slice(0, 200)}); see ${logFile}`);
  const own = sitePackages(venv);
  const jobs = sitePackages(s.spark.venv);
  if (own && jobs) fs.writeFileSync(path.join(own, "azflow-jobs-venv.pth"), `${jobs}\n`);
  fs.writeFileSync(marker, hash + "\n");
}
