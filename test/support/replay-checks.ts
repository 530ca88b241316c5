// Checks of a finished run's orchestration history against the extension-faithful replay: no
// activity scheduled twice, an operator once per try, and few Durable actions per task instance.
import assert from "node:assert/strict";

type HistoryEvent = Record<string, unknown>;

const TASK_SCHEDULED = 4;
const TIMER_CREATED = 10;

/** Each activity input scheduled once (a re-sent action repeats it); an operator once per try. */
export function assertScheduledOnce(dagId: string, history: readonly HistoryEvent[]): void {
  const inputs = history.filter((e) => e.EventType === TASK_SCHEDULED).map((e) => `${String(e.Name)} ${String(e.Input)}`);
  const repeated = inputs.filter((x, i) => inputs.indexOf(x) !== i);
  assert.deepEqual(repeated, [], `${dagId}: activities scheduled twice`);
  const attempts = history
    .filter((e) => e.EventType === TASK_SCHEDULED && String(e.Name).startsWith("op_"))
    .map((e) => JSON.parse(String(e.Input)) as { taskId: string; mapIndex: number; tryNumber: number; mode: string });
  // Only a sensor (or a follow-up check) pokes several times in one try.
  const executes = attempts.filter((a) => a.mode === "execute").map((a) => `${a.taskId}[${a.mapIndex}]#${a.tryNumber}`);
  assert.equal(new Set(executes).size, executes.length, `${dagId}: an attempt ran twice: ${executes}`);
}

/** What the run reports it created is what its history shows; bookkeeping and timers stay few. */
export function assertActionCosts(dagId: string, history: readonly HistoryEvent[], output: { actions?: unknown }): void {
  const scheduled = history.filter((e) => e.EventType === TASK_SCHEDULED).map((e) => String(e.Name));
  const attempts = scheduled.filter((n) => n.startsWith("op_")).length;
  const bookkeeping = scheduled.length - attempts;
  const timers = history.filter((e) => e.EventType === TIMER_CREATED).length;
  // These runs are short enough to stay one execution, so their history is the whole run.
  assert.deepEqual(output.actions, { activities: scheduled.length, timers, continuations: 0 }, dagId);
  // Ledger writes ride along with attempts or are batched: the final write and at most a few more.
  assert.ok(bookkeeping <= 2 + attempts / 2, `${dagId}: ${bookkeeping} bookkeeping activities for ${attempts} attempts: ${scheduled.filter((n) => !n.startsWith("op_"))}`);
  // Timers only serve waits between pokes (of sensors, and of the checks that follow a submitted
  // job) or retries: none for a run that has none.
  const pokes = scheduled.filter((n) => n.endsWith("_sensor") || n === "op_spark_job_status").length;
  assert.ok(timers <= 2 * pokes, `${dagId}: ${timers} timers for ${pokes} pokes`);
}
