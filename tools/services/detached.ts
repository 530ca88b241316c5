// Services outlive the `azflow services up` process: each is spawned detached (its own session and
// process group) with stdio going to a log file, and unreferenced so the CLI can exit.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface DetachedCommand {
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** Starts the command and resolves with its pid once the OS has started it. */
export async function spawnDetached(cmd: DetachedCommand): Promise<number> {
  fs.mkdirSync(path.dirname(cmd.logFile), { recursive: true });
  const log = fs.openSync(cmd.logFile, "a");
  try {
    fs.writeSync(log, `\n--- ${new Date().toISOString()} starting ${path.basename(cmd.command)}\n`);
    const child = spawn(cmd.command, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env ?? process.env,
      detached: true,
      stdio: ["ignore", log, log],
      uid: cmd.uid,
      gid: cmd.gid,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("spawn", () => resolve(child.pid as number));
    });
    child.unref();
    return pid;
  } finally {
    fs.closeSync(log);
  }
}
