// A service is its leader process (spawned detached, so it leads its own process group) plus
// everything in that group and everything descended from it. Both matter: Kafka's JVM threads live
// in one process, but Postgres backends call setsid() and so each leads a group of its own, and
// are found only as the postmaster's children.
import * as fs from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  rssBytes: number;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return {
      pid,
      state: fields[0] ?? "?",
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      rssBytes: rss ? Number(rss[1]) * 1024 : 0,
    };
  } catch {
    return undefined; // gone between listing and reading
  }
}

/** Zombies count as gone: they hold no memory or ports and only wait for their parent to reap them. */
function live(info: ProcessInfo | undefined): info is ProcessInfo {
  return info !== undefined && info.state !== "Z" && info.state !== "X";
}

function allProcesses(): ProcessInfo[] {
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readProcess(Number(e)))
    .filter(live);
}

/** The live processes of the service led by `leader`: its process group and its descendants. */
export function serviceProcesses(leader: number): ProcessInfo[] {
  const processes = allProcesses();
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found = new Map<number, ProcessInfo>();
  for (const p of processes) if (p.pgid === leader || p.pid === leader) found.set(p.pid, p);
  const queue = [...found.values()];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!.pid) ?? []) {
      if (!found.has(child.pid)) {
        found.set(child.pid, child);
        queue.push(child);
      }
    }
  }
  return [...found.values()];
}

export function serviceRssBytes(leader: number): number {
  return serviceProcesses(leader).reduce((sum, p) => sum + p.rssBytes, 0);
}

export function isAlive(pid: number): boolean {
  return live(readProcess(pid));
}

/** The command line of a process, to tell our service from an unrelated process that reused its pid. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

export interface StopOptions {
  /** First, polite signal. */
  signal: NodeJS.Signals;
  /** Send it to the leader only (the Postgres postmaster shuts its backends down itself). */
  leaderOnly: boolean;
  graceMs: number;
}

/**
 * Stops a service: the polite signal, then SIGKILL to whatever is left after the grace period.
 * The members are noted first because children orphaned by their leader are no longer its
 * descendants once reparented.
 */
export async function stopService(leader: number, options: StopOptions): Promise<"stopped" | "killed"> {
  const members = new Set(serviceProcesses(leader).map((p) => p.pid));
  const remaining = () => {
    for (const p of serviceProcesses(leader)) members.add(p.pid);
    return [...members].filter(isAlive);
  };
  const waitForExit = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (remaining().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return remaining().length === 0;
  };
  if (options.leaderOnly) send(leader, options.signal);
  else for (const pid of [-leader, ...members]) send(pid, options.signal);
  if (await waitForExit(options.graceMs)) return "stopped";
  send(-leader, "SIGKILL");
  for (const pid of remaining()) send(pid, "SIGKILL");
  if (await waitForExit(10_000)) return "killed";
  throw new Error(`processes ${remaining().join(", ")} survived SIGKILL`);
}
