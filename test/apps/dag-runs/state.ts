// The DAGs of the dag-runs test app, with ids unique to this process so reruns never meet runs
// left in Azurite's ledger tables by an earlier run. Tests import this before loading the app.
import { dag, operator } from "../../../orchestrations/runtime/model/dag";
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const noop = operator("noop", {});
const DAY_MS = 86_400_000;
const todayMidnight = Math.floor(Date.now() / DAY_MS) * DAY_MS;

export const dailyDag: CompiledDag = dag({
  dagId: `api_daily_${suffix}`,
  description: "Three tasks in a chain, daily, no catchup",
  schedule: "@daily",
  startDate: "2024-01-01",
  catchup: false,
  tags: ["azflow-test", "daily"],
  tasks: (t) => {
    t.task("extract", noop).then(t.task("transform", noop)).then(t.task("load", noop));
  },
});

export const manualDag: CompiledDag = dag({
  dagId: `api_manual_${suffix}`,
  schedule: null,
  tasks: (t) => {
    t.task("only", noop);
  },
});

export const pausedDag: CompiledDag = dag({
  dagId: `api_paused_${suffix}`,
  schedule: { every: "1h" },
  startDate: new Date(todayMidnight - 2 * DAY_MS),
  tags: ["azflow-test"],
  tasks: (t) => {
    t.task("only", noop);
  },
});

export const onceDag: CompiledDag = dag({
  dagId: `api_once_${suffix}`,
  schedule: "@once",
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("only", noop);
  },
});

/** Daily with catchup from three days ago: its timer creates three runs. */
export const catchupDag: CompiledDag = dag({
  dagId: `sched_catchup_${suffix}`,
  schedule: "@daily",
  startDate: new Date(todayMidnight - 3 * DAY_MS),
  catchup: true,
  maxActiveRuns: 16,
  tasks: (t) => {
    t.task("first", noop).then(t.task("second", noop));
  },
});

export const testDags: CompiledDag[] = [dailyDag, manualDag, pausedDag, onceDag, catchupDag];
