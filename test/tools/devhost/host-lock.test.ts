// One host per state directory: a second `azflow host` on the same state is refused with one line
// naming the owner; the lock of a host killed with SIGKILL is recognised as stale and taken over
// (by exactly one of two hosts starting at once); a taken port or one out of range is one line.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { loadApp, startHost, StateDirLockedError } from "../../../tools/devhost";
import { appsDir, cliMain, repoRoot, waitFor } from "./helpers";
import { freePort } from "../../../tools/services/ports";

interface HostProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

describe("the state directory's lock", () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "devhost-lock-"));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  function host(args: string[]): HostProcess {
    const child = spawn(process.execPath, [cliMain, "host", "--app", path.join(appsDir, "resume", "index.js"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, output: () => out, exited };
  }

  const listening = (h: HostProcess) => waitFor("the host to listen", () => (/listening on/.test(h.output()) ? true : undefined), 15_000);
  /** Listening, or exited: whichever comes first. */
  const outcome = (h: HostProcess) => Promise.race([listening(h).then(() => "listening" as const), h.exited.then(() => "exited" as const)]);

  it("refuses a second host on the same state directory with one line naming the first", async () => {
    const port = await freePort();
    const first = host(["--port", String(port), "--state-dir", stateDir]);
    await listening(first);
    const second = host(["--port", String(await freePort()), "--state-dir", stateDir]);
    assert.equal(await second.exited, 1);
    assert.match(second.output(), new RegExp(`^azflow: the state directory ${stateDir.replace(/[/.]/g, "\\$&")} is in use by another azflow host \\(pid ${first.child.pid} on [^,]+, port ${port}, since [^)]+\\); stop that host first, or give this one its own --state-dir\\.\\n$`));
    first.child.kill("SIGTERM");
    assert.equal(await first.exited, 0);
    // Closed cleanly: the lock is free again.
    const third = host(["--port", "0", "--state-dir", stateDir]);
    await listening(third);
    third.child.kill("SIGTERM");
    await third.exited;
  });

  it("takes over the lock of a host killed with SIGKILL; of two hosts starting at once, exactly one", async () => {
    const killed = host(["--port", "0", "--state-dir", stateDir]);
    await listening(killed);
    killed.child.kill("SIGKILL");
    await killed.exited;
    const [a, b] = [host(["--port", "0", "--state-dir", stateDir]), host(["--port", "0", "--state-dir", stateDir])];
    const outcomes = await Promise.all([outcome(a), outcome(b)]);
    assert.deepEqual([...outcomes].sort(), ["exited", "listening"], `${a.output()}\n---\n${b.output()}`);
    const [winner, loser] = outcomes[0] === "listening" ? [a, b] : [b, a];
    assert.equal(await loser.exited, 1);
    assert.match(loser.output(), new RegExp(`^azflow: the state directory .* is in use by another azflow host \\(pid ${winner.child.pid} `));
    winner.child.kill("SIGTERM");
    await winner.exited;
  });

  it("a taken port and a port out of range are one line each, not a stack trace", async () => {
    const taken = host(["--port", "0", "--state-dir", stateDir]);
    await listening(taken);
    const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(taken.output())![1]);
    const clash = host(["--port", String(port), "--state-dir", path.join(stateDir, "another-host")]);
    assert.equal(await clash.exited, 1);
    assert.equal(clash.output(), `azflow: port ${port} on 127.0.0.1 is already in use (another azflow host, or func start?); stop it or choose another with --port.\n`);
    taken.child.kill("SIGTERM");
    await taken.exited;
    const range = host(["--port", "70000", "--no-persist"]);
    assert.equal(await range.exited, 2);
    assert.equal(range.output(), "azflow: --port must be 0-65535 (0 picks a free one), got 70000.\n");
  });

  it("in one process too: a second startHost on the same state is refused; without persistence there is no lock", async () => {
    const app = loadApp(path.join(appsDir, "resume", "index.js"));
    const quiet = { app, port: 0, timers: false, blobs: false, log: () => undefined };
    const first = await startHost({ ...quiet, stateDir });
    try {
      await assert.rejects(startHost({ ...quiet, stateDir }), (err: Error) => err instanceof StateDirLockedError && err.message.includes(`pid ${process.pid}`));
      // The owner is named by the owner itself, not by its record in the directory, which a
      // second host may read half written or left by a host killed earlier.
      fs.writeFileSync(path.join(stateDir, "host.lock"), "{\"pid\": 1");
      await assert.rejects(startHost({ ...quiet, stateDir }), (err: Error) => err instanceof StateDirLockedError && err.message.includes(`pid ${process.pid} on `));
      const memory = await startHost({ ...quiet, stateDir, persist: false });
      await memory.close();
    } finally {
      await first.close();
    }
    const again = await startHost({ ...quiet, stateDir });
    await again.close();
  });
});
