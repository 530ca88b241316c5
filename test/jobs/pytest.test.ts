import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { needService, settings } from "../support/services";
import { testVenvPython } from "../../tools/testing/python-tests";

// The PySpark jobs' own tests (jobs/**/test_*.py): pytest on small DataFrames in local Spark,
// with the project venv's packages. Their output is shown as it comes.
test("pytest: the PySpark jobs' tests pass", { timeout: 600_000 }, async (t) => {
  if (!(await needService(t, "spark"))) return;
  const s = settings();
  const jobs = path.join(s.projectRoot, "jobs");
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(testVenvPython(s), ["-m", "pytest", "-q", "-p", "no:cacheprovider", jobs], {
      cwd: jobs, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, SPARK_LOCAL_IP: "127.0.0.1" },
    });
    child.once("error", reject);
    child.once("close", resolve);
  });
  assert.equal(code, 0, "pytest failed: see its output above");
});
