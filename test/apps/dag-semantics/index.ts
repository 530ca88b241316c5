// A test app: DAGs that exercise the orchestrator's Airflow semantics (retries, execution
// timeouts, sensors, mapping, XCom offload, callbacks, dagrun_timeout) with callables that record
// what happened, so tests can check both the states and what actually ran.
import "../../../functions/activities";
import { registerCallable } from "../../../functions/activities/callable";
import { registerCallback } from "../../../functions/activities/callbacks";
import { registerDag } from "../../../functions/register-dag";
import { dag, empty, python, timeDeltaSensor } from "../../../orchestrations/runtime";

/** Every callable invocation, in order: what ran, which try, with what. */
export const calls: { name: string; runId: string; taskId: string; mapIndex: number; tryNumber: number; kwargs: Record<string, unknown> }[] = [];
export const callbackCalls: { name: string; taskId: string | null; state: string; reason: string | null }[] = [];

function record(name: string): Parameters<typeof registerCallable>[1] {
  return (kwargs, ctx) => {
    calls.push({ name, runId: ctx.runId, taskId: ctx.taskId, mapIndex: ctx.mapIndex, tryNumber: ctx.tryNumber, kwargs });
    return undefined;
  };
}

registerCallable("sem.ok", (kwargs, ctx) => {
  record("sem.ok")(kwargs, ctx);
  return kwargs.value ?? "ok";
});
registerCallable("sem.fail_until", (kwargs, ctx) => {
  record("sem.fail_until")(kwargs, ctx);
  if (ctx.tryNumber < Number(kwargs.succeed_on_try)) throw new Error(`failing try ${ctx.tryNumber} on purpose`);
  return ctx.tryNumber;
});
registerCallable("sem.sleep", async (kwargs, ctx) => {
  record("sem.sleep")(kwargs, ctx);
  await new Promise((resolve) => setTimeout(resolve, Number(kwargs.ms)));
  return "slept";
});
registerCallable("sem.sleep_then", async (kwargs, ctx) => {
  record("sem.sleep_then")(kwargs, ctx);
  await new Promise((resolve) => setTimeout(resolve, Number(kwargs.ms)));
  return kwargs.value;
});
registerCallable("sem.double_or_none", (kwargs, ctx) => {
  record("sem.double_or_none")(kwargs, ctx);
  const x = Number(kwargs.x);
  return x === 2 ? null : x * 2;
});
registerCallable("sem.big_list", (kwargs, ctx) => {
  record("sem.big_list")(kwargs, ctx);
  return Array.from({ length: Number(kwargs.n) }, (_, i) => ({ i, padding: "x".repeat(100) }));
});
registerCallable("sem.index_of", (kwargs, ctx) => {
  record("sem.index_of")(kwargs, ctx);
  return (kwargs.item as { i: number }).i;
});
registerCallable("sem.summarise", (kwargs, ctx) => {
  record("sem.summarise")(kwargs, ctx);
  const items = kwargs.items as unknown[];
  return { count: items.length, first: items[0] ?? null, last: items[items.length - 1] ?? null };
});
registerCallable("sem.poke_done_on", (kwargs, ctx) => {
  record("sem.poke_done_on")(kwargs, ctx);
  const pokes = calls.filter((c) => c.name === "sem.poke_done_on" && c.runId === ctx.runId && c.taskId === ctx.taskId).length;
  return pokes >= Number(kwargs.poke);
});
registerCallback("sem.on_failure", (info) => {
  callbackCalls.push({ name: "sem.on_failure", taskId: info.taskId, state: info.state, reason: info.reason });
});

registerDag(dag({
  dagId: "sem_retries",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("flaky", python("sem.fail_until", { succeed_on_try: 3 }), { retries: 2, retryDelay: "10s" });
    t.task("backoff", python("sem.fail_until", { succeed_on_try: 4 }), {
      retries: 3, retryDelay: "10s", retryExponentialBackoff: true, maxRetryDelay: "25s",
    });
    t.task("hopeless", python("sem.fail_until", { succeed_on_try: 99 }), { retries: 1, retryDelay: "1m", onFailureCallback: "sem.on_failure" });
  },
}));

registerDag(dag({
  dagId: "sem_timeout",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("slow", python("sem.sleep", { ms: 3000 }), { executionTimeout: "1s" });
  },
}));

registerDag(dag({
  dagId: "sem_sensors",
  schedule: null,
  startDate: "2024-01-01",
  defaultArgs: { pokeInterval: "5s", timeout: "15s", mode: "reschedule" },
  tasks: (t) => {
    t.sensor("eventually", python("sem.poke_done_on", { poke: 3 }));
    const hard = t.sensor("never_hard", python("sem.poke_done_on", { poke: 99 }), { retries: 2 });
    const soft = t.sensor("never_soft", python("sem.poke_done_on", { poke: 99 }), { softFail: true });
    hard.then(t.task("after_hard", empty()));
    soft.then(t.task("after_soft", empty()));
  },
}));

registerDag(dag({
  dagId: "sem_mapping",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const numbers = t.task("numbers", python("sem.ok", { value: [1, 2, 3] }));
    const doubled = t.task("doubled", python("sem.double_or_none"), { expand: { x: numbers.output } });
    doubled.then(t.task("collect", python("sem.summarise", { items: doubled.output })));
    const nothing = t.task("nothing", python("sem.ok", { value: [] }));
    const none = t.task("mapped_over_nothing", python("sem.double_or_none"), { expand: { x: nothing.output } });
    none.then(t.task("after_nothing", empty()));
    t.task("cross", python("sem.ok"), { expand: { a: [1, 2], b: ["x", "y", "z"] } });
  },
}));

registerDag(dag({
  dagId: "sem_offload",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const big = t.task("big", python("sem.big_list", { n: 200 }));
    big.then(t.task("summary", python("sem.summarise", { items: big.output })));
    t.task("per_item", python("sem.index_of"), { expand: { item: big.output } });
  },
}));

registerDag(dag({
  dagId: "sem_dagrun_timeout",
  schedule: null,
  startDate: "2024-01-01",
  dagrunTimeout: "30s",
  tasks: (t) => {
    t.sensor("waits_forever", python("sem.poke_done_on", { poke: 9999 }), { pokeInterval: "10s", timeout: "1h" })
      .then(t.task("never_reached", empty()));
  },
}));

/** Ends when its sensor's wait does, long before its dagrun_timeout: nothing is left to run then. */
registerDag(dag({
  dagId: "sem_timeout_not_reached",
  schedule: null,
  startDate: "2024-01-01",
  dagrunTimeout: "30d",
  tasks: (t) => {
    t.task("wait", timeDeltaSensor({ delta: "20d" })).then(t.task("on_failure_only", python("sem.ok"), { triggerRule: "all_failed" }));
  },
}));

/** A scheduled DAG with a three-day backlog and one active run at a time; unique per process. */
export const CATCHUP_DAG_ID = `sem_catchup_${process.pid}_${Date.now().toString(36)}`;
registerDag(dag({
  dagId: CATCHUP_DAG_ID,
  schedule: "@daily",
  startDate: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 3 * 86_400_000),
  catchup: true,
  maxActiveRuns: 1,
  tasks: (t) => {
    t.task("work", python("sem.ok"));
  },
}));

registerDag(dag({
  dagId: "sem_sla",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.sensor("late", python("sem.poke_done_on", { poke: 3 }), { pokeInterval: "10s", timeout: "1h", sla: "5s" });
    t.task("on_time", python("sem.ok"), { sla: "1h" });
  },
}));

registerCallable("sem.fail_if", (kwargs, ctx) => {
  record("sem.fail_if")(kwargs, ctx);
  if (kwargs.fail === "yes") throw new Error("told to fail");
  return "passed";
});

/** depends_on_past needs a history of its own: unique per process. */
export const PAST_DAG_ID = `sem_past_${process.pid}_${Date.now().toString(36)}`;
registerDag(dag({
  dagId: PAST_DAG_ID,
  schedule: null,
  startDate: "2024-01-01",
  dagrunTimeout: "10m",
  tasks: (t) => {
    t.task("gate", python("sem.fail_if", { fail: "{{ dag_run.conf.get('fail', 'no') }}" }), { dependsOnPast: true });
  },
}));

registerCallable("sem.poke_fails_second_time", (kwargs, ctx) => {
  record("sem.poke_fails_second_time")(kwargs, ctx);
  const pokes = calls.filter((c) => c.name === "sem.poke_fails_second_time" && c.runId === ctx.runId).length;
  if (pokes === 2) throw new Error("poke failed once");
  return false;
});

registerDag(dag({
  dagId: "sem_sensor_retry",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.sensor("flaky_sensor", python("sem.poke_fails_second_time"), {
      pokeInterval: "5s", timeout: "15s", mode: "reschedule", retries: 1, retryDelay: "5s",
    });
  },
}));

registerDag(dag({
  dagId: "sem_poke_execution_timeout",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.sensor("poke_mode", python("sem.poke_done_on", { poke: 99 }), {
      mode: "poke", pokeInterval: "5s", timeout: "1h", executionTimeout: "12s", retries: 1, retryDelay: "5s",
    });
  },
}));

// Work that becomes due while an unrelated long activity runs starts at once, not when it ends.
registerDag(dag({
  dagId: "sem_timely",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("slow", python("sem.sleep", { ms: 3000 }));
    t.task("a", python("sem.ok")).then(t.task("b", python("sem.ok")));
    t.task("flaky", python("sem.fail_until", { succeed_on_try: 2 }), { retries: 1, retryDelay: "1s" });
    t.sensor("sensor", python("sem.poke_done_on", { poke: 2 }), { pokeInterval: "1s", timeout: "1m", mode: "reschedule" });
  },
}));

// A branch's decision is final for its direct downstreams, whatever state they reached first
// (Airflow 2.10 SkipMixin._skip_all_except). The two reproductions from Airflow, and a running one.
registerDag(dag({
  dagId: "sem_branch_overrules_finished",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const a = t.task("a", python("sem.ok"));
    const a2 = t.task("a2", python("sem.sleep", { ms: 300 }));
    const b = t.branch("b", python("sem.ok", { value: "c" }));
    const c = t.task("c", python("sem.ok"));
    const x = t.task("x", python("sem.ok"));
    const d = t.task("d", python("sem.fail_if", { fail: "yes" }), { triggerRule: "one_success" });
    t.chain(a, a2, b, c);
    t.list(x, b).then(d);
  },
}));

registerDag(dag({
  dagId: "sem_branch_overrules_upstream_failed",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const a = t.task("a", python("sem.fail_if", { fail: "yes" }));
    const b = t.branch("b", python("sem.ok", { value: "c" }), { triggerRule: "always" });
    const c = t.task("c", python("sem.ok"), { triggerRule: "all_done" });
    const d = t.task("d", python("sem.ok"));
    a.then(b);
    t.list(a, b).then(c);
    t.list(a, b).then(d);
  },
}));

registerDag(dag({
  dagId: "sem_branch_stops_running",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const x = t.task("x", python("sem.ok"));
    const b = t.branch("b", python("sem.sleep_then", { ms: 200, value: "c" }));
    const c = t.task("c", python("sem.ok"));
    const d = t.task("d", python("sem.sleep", { ms: 1500 }), { triggerRule: "one_success" });
    b.then(c);
    t.list(x, b).then(d);
  },
}));

registerDag(dag({
  dagId: "sem_deprecated_rules",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const a = t.task("a", python("sem.fail_if", { fail: "yes" }));
    a.then(t.task("still_runs", python("sem.ok"), { triggerRule: "dummy" }));
    const pick = t.branch("pick", python("sem.ok", { value: "left" }));
    const left = t.task("left", python("sem.ok"));
    const right = t.task("right", python("sem.ok"));
    pick.then([left, right]);
    t.list(left, right).then(t.task("join", python("sem.ok"), { triggerRule: "none_failed_or_skipped" }));
  },
}));

registerCallable("sem.next", (kwargs, ctx) => {
  record("sem.next")(kwargs, ctx);
  if (ctx.tryNumber < Number(kwargs.succeed_on_try ?? 1)) throw new Error(`failing try ${ctx.tryNumber} on purpose`);
  return Number(kwargs.previous) + 1;
});

/**
 * A chain long enough that its run continues as a new execution (every 100 activities, at a
 * point where no task runs or waits), each task adding one to its upstream's XCom. Across the
 * executions: a task and a mapped task in parallel with the start of the chain whose results are
 * read at its end, a retry with its delay, a branch whose skipped side is decided in one execution
 * and seen by the join in a later one, and a dagrun_timeout counted from the run's start (30
 * days: longer than Node's longest setTimeout, which each attempt's cutoff must survive).
 */
registerDag(dag({
  dagId: "sem_long_chain",
  schedule: null,
  startDate: "2024-01-01",
  dagrunTimeout: "30d",
  tasks: (t) => {
    const numbers = t.task("numbers", python("sem.ok", { value: [1, 2, 3] }));
    const doubled = t.task("doubled", python("sem.double_or_none"), { expand: { x: numbers.output } });
    const id = (i: number) => `c_${String(i).padStart(3, "0")}`;
    const side = t.task("side", python("sem.sleep_then", { ms: 200, value: "side" }));
    let previous = t.task(id(0), python("sem.ok", { value: 0 }));
    let beforeBranch = previous;
    const detour = t.task("detour", python("sem.ok"));
    for (let i = 1; i < 230; i++) {
      if (i === 150) {
        const branch = t.branch(id(i), python("sem.ok", { value: id(i + 1) }));
        previous.then(branch);
        branch.then(detour);
        beforeBranch = previous;
        previous = branch;
        continue;
      }
      // After the branch, the chain's value comes from the task before it.
      const input = i === 151 ? beforeBranch : previous;
      const kwargs = i === 120 ? { previous: input.output, succeed_on_try: 2 } : { previous: input.output };
      const task = t.task(id(i), python("sem.next", kwargs), i === 120 ? { retries: 1, retryDelay: "30s" } : {});
      previous.then(task);
      previous = task;
    }
    t.list(previous, side, detour).then(t.task("end", python("sem.ok"), { triggerRule: "none_failed_min_one_success" }));
    t.list(previous, doubled).then(t.task("collect", python("sem.summarise", { items: doubled.output })));
  },
}));
