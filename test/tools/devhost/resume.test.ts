// Host mode restart: stop `azflow host` (SIGKILL) in the middle of a run, start it again on the
// same state directory; the run completes and no activity that had completed runs again.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { appsDir, cliMain, repoRoot, waitFor } from "./helpers";
import { freePort } from "../../../tools/services/ports";

describe("host mode restart", () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "devhost-resume-"));
  const logFile = path.join(stateDir, "steps.log");
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill("SIGKILL");
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  async function startHostProcess(port: number): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn(process.execPath, [cliMain, "host", "--app", path.join(appsDir, "resume", "index.js"), "--port", String(port), "--state-dir", stateDir], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    await waitFor("host to listen", () => (/listening on/.test(out) ? true : undefined), 15_000);
    return { child, output: () => out };
  }

  const lines = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n") : []);
  const count = (line: string) => lines().filter((l) => l === line).length;

  it("resumes a running orchestration from its history after the host is killed", async () => {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/runtime/webhooks/durabletask`;
    const first = await startHostProcess(port);
    const started = await fetch(`${api}/orchestrators/ResumeChain/resume-1`, { method: "POST", body: JSON.stringify({ logFile, steps: 3, sleepMs: 700 }) });
    assert.equal(started.status, 202);
    await waitFor("step 2 to be running", () => (count("done:1") === 1 && count("start:2") === 1 ? true : undefined), 10_000, 20);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    assert.equal(count("done:2"), 0, "killed while step 2 was running");

    const second = await startHostProcess(port);
    assert.match(second.output(), /resumed 1 orchestration/);
    const status = await waitFor(
      "the run to complete",
      async () => {
        const body = (await (await fetch(`${api}/instances/resume-1`)).json()) as { runtimeStatus: string; output: unknown };
        return body.runtimeStatus === "Running" || body.runtimeStatus === "Pending" ? undefined : body;
      },
      15_000,
      100,
    );
    assert.equal(status.runtimeStatus, "Completed");
    assert.deepEqual(status.output, [10, 20, 30]);
    // Step 1 had completed before the kill: it never runs again. Step 2 was cut off and reruns.
    assert.equal(count("start:1"), 1);
    assert.equal(count("done:1"), 1);
    assert.equal(count("start:2"), 2);
    assert.equal(count("done:2"), 1);
    assert.equal(count("start:3"), 1);
    assert.equal(count("done:3"), 1);
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  });
});
