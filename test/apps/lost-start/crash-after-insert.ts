// The crash window of run creation, for real: this process creates the DAG's first due scheduled
// run the way the schedule timer does (ledger row first), and is killed (SIGKILL) at the moment it
// would start the orchestration. Its clock is set back past the start grace, as if the crash had
// happened a while before the host came back.
import { loadApp } from "../../../tools/devhost";
import { applyLocalAppSettings } from "../../../tools/services/app-env";
import { serviceSettings } from "../../../tools/services/settings";

async function main(): Promise<void> {
  applyLocalAppSettings(serviceSettings());
  loadApp(require.resolve("./index"));
  const { getDag } = await import("../../../functions/dag-registry");
  const { appRunLedger } = await import("../../../functions/runs/app-run-ledger");
  const { scheduleDueRuns } = await import("../../../functions/runs/schedule-due-runs");
  const { START_GRACE_MS } = await import("../../../functions/runs/reconcile-runs");
  const { LOST_START_DAG } = await import("./index");
  const killedBeforeStart = {
    async start(): Promise<"started"> {
      process.kill(process.pid, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      throw new Error("not killed");
    },
    async restart(): Promise<void> {
      throw new Error("not used");
    },
  };
  await scheduleDueRuns(getDag(LOST_START_DAG)!, appRunLedger(), killedBeforeStart, new Date(Date.now() - 2 * START_GRACE_MS), false);
  console.error("the run was created without reaching its start");
  process.exit(3);
}

void main();
