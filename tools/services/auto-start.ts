// What the CLI's commands do before they need a local service: start the ones that are not
// running, say so in one line, and leave them running for the next command (as `npm test` does,
// and as `azflow services up` would). A service already running, under our pid file or someone
// else's process answering on its ports, is used as it is. If one fails to start, the ones this
// call started are stopped again: nothing is left half-started.
import * as path from "node:path";
import { CliError } from "../cli/cli-error";
import { downService, upService } from "./lifecycle";
import { liveRecord } from "./pid-files";
import { portIsFree } from "./ports";
import { SERVICES } from "./registry";
import type { LocalService, ServiceName } from "./service";
import type { ServiceSettings } from "./settings";

/** A service a command needs, and why (shown in the start line): "the run ledger", "connection postgres_default". */
export interface ServiceNeed {
  service: ServiceName;
  reason: string;
}

type Plan = { svc: LocalService; reasons: string[] };

/** Needs merged by service, in start order (storage first). */
function plan(needs: readonly ServiceNeed[]): Plan[] {
  return SERVICES.flatMap((svc) => {
    const reasons = [...new Set(needs.filter((n) => n.service === svc.name).map((n) => n.reason))];
    return reasons.length ? [{ svc, reasons }] : [];
  });
}

async function freePorts(svc: LocalService, s: ServiceSettings): Promise<boolean[]> {
  return Promise.all(svc.ports(s).map(({ port }) => portIsFree(s.host, port)));
}

/**
 * Whether the service must be started. One started by an earlier command is waited for (it may
 * still be starting); ports held by a process that answers as the service does are taken as the
 * service run by other means. Ports held by anything else fail here, before anything starts.
 */
async function mustStart(svc: LocalService, s: ServiceSettings): Promise<boolean> {
  if (!svc.launch) return svc.ping(s).then(() => false, () => true);
  if (liveRecord(s, svc.name)) {
    await upService(svc, s);
    return false;
  }
  const free = await freePorts(svc, s);
  if (free.every(Boolean)) return true;
  if (await svc.ping(s).then(() => true, () => false)) return false;
  const taken = svc.ports(s).find((_, i) => !free[i])!;
  throw new CliError(`port ${taken.port} for ${svc.name} is taken by another process; set ${taken.setting} to a free port (or stop that process)`);
}

function describe(steps: readonly Plan[]): string {
  const parts = steps.map((p) => `${p.svc.name} (${p.reasons.join(", ")})`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : parts[0];
}

/**
 * Starts what `needs` names and is not running. `say` gets one line before the start (nothing
 * when all are running); a failure throws a one-line CliError after stopping what this call started.
 * Resolves with the names of the services it started.
 */
export async function startNeededServices(needs: readonly ServiceNeed[], s: ServiceSettings, say: (line: string) => void): Promise<ServiceName[]> {
  const steps: Plan[] = [];
  for (const step of plan(needs)) if (await mustStart(step.svc, s)) steps.push(step);
  if (!steps.length) return [];
  const processes = steps.filter((p) => p.svc.launch);
  const keep = processes.length
    ? `; ${processes.length > 1 ? "they keep" : "it keeps"} running for the next commands ('npx azflow services down' stops ${processes.length > 1 ? "them" : "it"})`
    : "";
  say(`azflow: starting ${describe(steps)}${keep}`);
  const started: LocalService[] = [];
  for (const { svc } of steps) {
    try {
      const result = await upService(svc, s);
      if (result.state === "started") started.push(svc);
    } catch (err) {
      for (const earlier of started.reverse()) await downService(earlier, s).catch(() => undefined);
      if (err instanceof CliError) throw err;
      throw new CliError(`${svc.name} could not start (${err instanceof Error ? err.message : String(err)}); see ${path.relative(s.projectRoot, svc.logFile(s)) || svc.logFile(s)}`);
    }
  }
  return steps.map((p) => p.svc.name);
}
