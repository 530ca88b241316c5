// BashOperator: runs a command with bash; the last line of output is the XCom, exit code 99
// skips the task (Airflow's defaults). Secrets reach the command only through env, never argv,
// and only the connections the task names (child-env.ts).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { childProcessEnv } from "./child-env";
import { ConfigReader } from "./config-reader";
import { OperatorContext, OperatorDefinition, skip } from "./operator";

export interface BashConfig {
  command: string;
  env: Record<string, string>;
  appendEnv: boolean;
  connections: string[];
  cwd?: string;
  skipOnExitCode: number[];
}

export const bashOperator: OperatorDefinition<BashConfig> = {
  name: "bash",
  templateFields: ["command", "env", "cwd"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["command", "env", "append_env", "connections", "cwd", "skip_on_exit_code"]);
    const skipCodes = c.raw("skip_on_exit_code");
    return {
      command: c.string("command"),
      env: c.stringRecord("env"),
      appendEnv: c.boolean("append_env", false),
      connections: c.stringList("connections"),
      cwd: c.optionalString("cwd"),
      skipOnExitCode: skipCodes === undefined ? [99] : ([] as number[]).concat(skipCodes as number | number[]),
    };
  },
  async execute(config, ctx: OperatorContext) {
    const env = childProcessEnv(ctx, config);
    const child = spawn("bash", ["-c", config.command], {
      cwd: config.cwd ? path.resolve(ctx.appRoot, config.cwd) : ctx.appRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const kill = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    ctx.signal.addEventListener("abort", kill, { once: true });
    let lastLine = "";
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      ctx.log(line);
      if (line.trim() !== "") lastLine = line;
    });
    createInterface({ input: child.stderr }).on("line", (line) => ctx.log(line));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c, s) => resolve([c, s]));
    });
    ctx.signal.removeEventListener("abort", kill);
    if (ctx.signal.aborted) throw new Error("Command was cut off by its execution timeout.");
    if (code !== null && config.skipOnExitCode.includes(code)) return skip(`Command exited with code ${code}.`);
    if (code !== 0) throw new Error(`Bash command failed. The command returned a non-zero exit code ${code ?? signal}.`);
    return lastLine;
  },
};
