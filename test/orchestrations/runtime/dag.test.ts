import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chain, dag, DagDefinitionError, operator } from "../../../orchestrations/runtime/model/dag";
import type { DagDefinition, TaskBuilder } from "../../../orchestrations/runtime/model/dag";

const bash = (command: string) => operator("bash", { command });

function define(tasks: (t: TaskBuilder) => void, extra: Partial<DagDefinition> = {}) {
  return dag({ dagId: "d", schedule: "@daily", startDate: "2023-01-01", tasks, ...extra });
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DagDefinitionError, `expected DagDefinitionError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("dag(): the tutorial DAG compiles to plain data", () => {
  const tutorial = dag({
    dagId: "tutorial",
    schedule: "@daily",
    startDate: "2023-01-01",
    catchup: true,
    defaultArgs: { retries: 1, retryDelay: "5m" },
    params: { table: "events" },
    tags: ["example"],
    tasks: (t) => {
      const printDate = t.task("print_date", bash("date"));
      const load = t.task("load_table", operator("sql", { conn: "postgres_default", file: "sql/load.sql" }));
      const report = t.task("report", operator("python", { callable: "tutorial.report", rows: load.output }));
      chain(printDate, load, report);
    },
  });

  it("has tasks, edges, defaults and schedule", () => {
    assert.deepEqual(tutorial.taskOrder, ["print_date", "load_table", "report"]);
    assert.deepEqual(tutorial.tasks.load_table.upstream, ["print_date"]);
    assert.deepEqual(tutorial.tasks.load_table.downstream, ["report"]);
    assert.deepEqual(tutorial.tasks.report.retry, { retries: 1, retryDelaySeconds: 300, exponentialBackoff: false, maxRetryDelaySeconds: null });
    assert.equal(tutorial.tasks.report.triggerRule, "all_success");
    assert.deepEqual(tutorial.schedule, { kind: "cron", expression: "0 0 * * *", preset: "@daily" });
    assert.equal(tutorial.startDate, "2023-01-01T00:00:00.000Z");
    assert.equal(tutorial.maxActiveRuns, 16);
    assert.deepEqual(tutorial.roots, ["print_date"]);
    assert.deepEqual(tutorial.leaves, ["report"]);
    assert.deepEqual(tutorial.tasks.report.config, { callable: "tutorial.report", rows: { $xcom: { taskId: "load_table", key: "return_value" } } });
  });

  it("survives a JSON round trip unchanged", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(tutorial)), tutorial);
  });
});

describe("dependencies", () => {
  it("then() chains and fans out / in like >>", () => {
    const d = define((t) => {
      const a = t.task("a", bash("a")), b = t.task("b", bash("b")), c = t.task("c", bash("c")), e = t.task("e", bash("e"));
      a.then([b, c]).then(e);
    });
    assert.deepEqual(d.tasks.b.upstream, ["a"]);
    assert.deepEqual(d.tasks.c.upstream, ["a"]);
    assert.deepEqual(d.tasks.e.upstream, ["b", "c"]);
    assert.deepEqual(d.tasks.a.downstream, ["b", "c"]);
  });

  it("after() is <<", () => {
    const d = define((t) => {
      const a = t.task("a", bash("a")), b = t.task("b", bash("b"));
      b.after(a);
    });
    assert.deepEqual(d.tasks.b.upstream, ["a"]);
  });

  it("chain() links adjacent lists pairwise and rejects lists of different length", () => {
    const d = define((t) => {
      const [a, b, c, x, y, z] = ["a", "b", "c", "x", "y", "z"].map((id) => t.task(id, bash(id)));
      chain(a, [b, c], [x, y], z);
    });
    assert.deepEqual(d.tasks.x.upstream, ["b"]);
    assert.deepEqual(d.tasks.y.upstream, ["c"]);
    assert.deepEqual(d.tasks.z.upstream, ["x", "y"]);
    rejects(() => define((t) => {
      const [a, b, c] = ["a", "b", "c"].map((id) => t.task(id, bash(id)));
      chain([a], [b, c]);
    }), /DAG 'd'.*same length/);
  });

  it("task groups prefix ids and stand for their roots and leaves", () => {
    const d = define((t) => {
      const start = t.task("start", bash("s"));
      const prepare = t.group("prepare", (g) => {
        const a = g.task("a", bash("a"));
        const b = g.task("b", bash("b"));
        const c = g.task("c", bash("c"));
        a.then(c);
        void b;
      });
      const end = t.task("end", bash("e"));
      start.then(prepare).then(end);
    });
    assert.deepEqual(Object.keys(d.tasks).sort(), ["end", "prepare.a", "prepare.b", "prepare.c", "start"]);
    assert.deepEqual(d.tasks["prepare.a"].upstream, ["start"]);
    assert.deepEqual(d.tasks["prepare.b"].upstream, ["start"]);
    assert.deepEqual(d.tasks["prepare.c"].upstream, ["prepare.a"]);
    assert.deepEqual(d.tasks.end.upstream, ["prepare.b", "prepare.c"]);
    assert.deepEqual(d.groups.prepare.roots, ["prepare.a", "prepare.b"]);
    assert.deepEqual(d.groups.prepare.leaves, ["prepare.b", "prepare.c"]);
    assert.equal(d.tasks["prepare.a"].groupId, "prepare");
  });

  it("named upstream ids work, a group id meaning its leaves", () => {
    const d = define((t) => {
      t.group("g", (g) => { g.task("x", bash("x")).then(g.task("y", bash("y"))); });
      t.task("after", bash("z"), { upstream: ["g"] });
    });
    assert.deepEqual(d.tasks.after.upstream, ["g.y"]);
  });

  it("referencing an upstream's output adds the dependency", () => {
    const d = define((t) => {
      const list = t.task("list_files", bash("ls"));
      t.task("upload", operator("upload", { container: "c" }), { expand: { file: list.output } });
    });
    assert.deepEqual(d.tasks.upload.upstream, ["list_files"]);
    assert.deepEqual(d.tasks.upload.mapping, { kind: "expand", args: { file: { $xcom: { taskId: "list_files", key: "return_value" } } } });
  });
});

describe("task kinds and policies", () => {
  const d = define((t) => {
    t.sensor("wait", operator("blob_prefix", { prefix: "x/" }), { pokeInterval: "5s", timeout: 15, mode: "reschedule", softFail: true });
    t.branch("choose", operator("python", { callable: "pick" }));
    t.task("slow", bash("sleep"), {
      retries: 3, retryDelay: "30s", retryExponentialBackoff: true, maxRetryDelay: "1h", executionTimeout: "PT10M",
      triggerRule: "none_failed_min_one_success", dependsOnPast: true, sla: "2h", onFailureCallback: "notify", params: { n: 1 },
    });
  }, { defaultArgs: { retries: 2, onSuccessCallback: ["log"] }, dagrunTimeout: "1d", maxActiveRuns: 1, catchup: false });

  it("sensor policy with Airflow's defaults filled in", () => {
    assert.equal(d.tasks.wait.kind, "sensor");
    assert.deepEqual(d.tasks.wait.sensor, {
      pokeIntervalSeconds: 5, timeoutSeconds: 15, mode: "reschedule", softFail: true, exponentialBackoff: false,
      maxWaitSeconds: null, silentFail: false, neverFail: false,
    });
    assert.equal(d.tasks.choose.kind, "branch");
    assert.equal(d.tasks.choose.sensor, null);
  });

  it("task options override defaultArgs", () => {
    const slow = d.tasks.slow;
    assert.deepEqual(slow.retry, { retries: 3, retryDelaySeconds: 30, exponentialBackoff: true, maxRetryDelaySeconds: 3600 });
    assert.equal(slow.executionTimeoutSeconds, 600);
    assert.equal(slow.triggerRule, "none_failed_min_one_success");
    assert.equal(slow.dependsOnPast, true);
    assert.equal(slow.slaSeconds, 7200);
    assert.deepEqual(slow.callbacks, { onSuccess: ["log"], onFailure: ["notify"], onRetry: [] });
    assert.deepEqual(slow.params, { n: 1 });
    assert.equal(d.tasks.choose.retry.retries, 2);
    assert.equal(d.dagrunTimeoutSeconds, 86400);
    assert.equal(d.maxActiveRuns, 1);
    assert.equal(d.catchup, false);
  });

  it("schedules: cron, presets, intervals, @once, manual", () => {
    const withSchedule = (schedule: DagDefinition["schedule"]) => define((t) => { t.task("a", bash("a")); }, { schedule }).schedule;
    assert.deepEqual(withSchedule("*/5 * * * MON-FRI"), { kind: "cron", expression: "*/5 * * * MON-FRI", preset: null });
    assert.deepEqual(withSchedule("@quarterly"), { kind: "cron", expression: "0 0 1 */3 *", preset: "@quarterly" });
    assert.deepEqual(withSchedule({ every: "20s" }), { kind: "interval", seconds: 20 });
    assert.deepEqual(withSchedule({ every: "PT1H" }), { kind: "interval", seconds: 3600 });
    assert.deepEqual(withSchedule({ every: 90 }), { kind: "interval", seconds: 90 });
    assert.deepEqual(withSchedule("@once"), { kind: "once" });
    assert.deepEqual(withSchedule(null), { kind: "manual" });
  });
});

describe("validateDag rejects bad definitions, naming the DAG and the task", () => {
  it("a cycle, with its path", () => {
    rejects(() => define((t) => {
      const a = t.task("a", bash("a")), b = t.task("b", bash("b")), c = t.task("c", bash("c"));
      a.then(b).then(c).then(a);
    }), /^DAG 'd', task 'a': cycle detected: a -> b -> c -> a$/);
  });

  it("a self-dependency", () => {
    rejects(() => define((t) => { const a = t.task("a", bash("a")); a.then(a); }), /task 'a': cycle detected: a -> a/);
  });

  it("a duplicate task id", () => {
    rejects(() => define((t) => { t.task("a", bash("a")); t.task("a", bash("b")); }), /^DAG 'd', task 'a': duplicate task id/);
  });

  it("a task id that clashes with a group id", () => {
    rejects(() => define((t) => { t.group("g", (g) => { g.task("x", bash("x")); }); t.task("g", bash("b")); }), /task 'g': duplicate task id: already used by a task group/);
  });

  it("an unknown upstream", () => {
    rejects(() => define((t) => { t.task("a", bash("a"), { upstream: ["nope"] }); }), /^DAG 'd', task 'a': unknown upstream task 'nope'$/);
  });

  it("an XCom reference to an unknown task", () => {
    rejects(() => define((t) => { t.task("a", operator("x", { v: { $xcom: { taskId: "ghost", key: "return_value" } } })); }), /task 'a': unknown upstream task 'ghost'/);
  });

  it("an unknown trigger rule", () => {
    rejects(() => define((t) => {
      t.task("a", bash("a"), { triggerRule: "none_failed_or_skippd" as never });
    }), /^DAG 'd', task 'a': unknown trigger rule 'none_failed_or_skippd'/);
  });

  it("accepts Airflow 2.10's deprecated rule names as their rules, with a warning each", () => {
    const d = define((t) => {
      t.task("a", bash("a"), { triggerRule: "dummy" });
      t.task("b", bash("b"), { triggerRule: "none_failed_or_skipped" });
      t.task("c", bash("c"), { triggerRule: "all_done" });
    });
    assert.equal(d.tasks.a.triggerRule, "always");
    assert.equal(d.tasks.b.triggerRule, "none_failed_min_one_success");
    assert.deepEqual(d.warnings, [
      "DAG 'd', task 'a': trigger rule 'dummy' is deprecated; use 'always' (Airflow 3 no longer accepts it).",
      "DAG 'd', task 'b': trigger rule 'none_failed_or_skipped' is deprecated; use 'none_failed_min_one_success' (Airflow 3 no longer accepts it).",
    ]);
  });

  it("an unparseable schedule", () => {
    rejects(() => define((t) => { t.task("a", bash("a")); }, { schedule: "61 * * * *" }), /^DAG 'd': invalid schedule "61 \* \* \* \*": .*minute value 61/);
    rejects(() => define((t) => { t.task("a", bash("a")); }, { schedule: "@fortnightly" }), /DAG 'd': invalid schedule.*unknown schedule preset/);
    rejects(() => define((t) => { t.task("a", bash("a")); }, { schedule: "0 0 30 2 *" }), /DAG 'd': invalid schedule.*never fires/);
    rejects(() => define((t) => { t.task("a", bash("a")); }, { schedule: { every: "soon" } }), /DAG 'd': invalid schedule.*invalid duration/);
    rejects(() => define((t) => { t.task("a", bash("a")); }, { schedule: "* * * *" }), /expected 5 fields/);
  });

  it("invalid dag and task ids", () => {
    rejects(() => define((t) => { t.task("a", bash("a")); }, { dagId: "bad id" }), /^DAG 'bad id': invalid dag id/);
    rejects(() => define((t) => { t.task("a/b", bash("a")); }), /^DAG 'd', task 'a\/b': invalid task id/);
    rejects(() => define((t) => { t.task("x".repeat(251), bash("a")); }), /invalid task id: is 251 characters long/);
  });

  it("bad durations, retries, configs and mappings", () => {
    rejects(() => define((t) => { t.task("a", bash("a"), { retryDelay: "5 minutes" }); }), /task 'a': retryDelay: invalid duration/);
    rejects(() => define((t) => { t.task("a", bash("a"), { retries: -1 }); }), /task 'a': retries must be a non-negative integer/);
    rejects(() => define((t) => { t.task("a", operator("x", { f: () => 1 })); }), /task 'a': config is not plain JSON data at \$\.f/);
    rejects(() => define((t) => { t.task("a", bash("a"), { expand: { x: "abc" } }); }), /task 'a': expand argument 'x' must be a list/);
    rejects(() => define((t) => { t.sensor("s", bash("a"), { mode: "fast" as never }); }), /task 's': sensor mode/);
  });

  it("a scheduled DAG without a start date", () => {
    rejects(() => dag({ dagId: "d", schedule: "@daily", tasks: (t) => { t.task("a", bash("a")); } }), /DAG 'd': a scheduled DAG needs a startDate/);
  });
});
