import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chain, dag, operator } from "../../../orchestrations/runtime/model/dag";
import type { CompiledDag, TaskBuilder } from "../../../orchestrations/runtime/model/dag";
import { resolveBranch } from "../../../orchestrations/runtime/rules/branching";
import { dagRunTimedOut, decideRunState, step, timeOutRun } from "../../../orchestrations/runtime/rules/scheduler";
import type { TaskStates } from "../../../orchestrations/runtime/rules/states";
import { simulate } from "./run-simulator";

const op = operator("noop", {});
const build = (tasks: (t: TaskBuilder) => void): CompiledDag => dag({ dagId: "s", schedule: null, tasks });

describe("step(): ready tasks start as soon as their own upstreams allow", () => {
  const d = build((t) => {
    const a = t.task("a", op), b = t.task("b", op), c = t.task("c", op), x = t.task("x", op);
    a.then(b);
    c.then(x);
  });

  it("roots are runnable at once; a downstream becomes runnable when its upstream finishes, not in waves", () => {
    assert.deepEqual(step(d, {}).runnable, ["a", "c"]);
    assert.deepEqual(step(d, { a: "running", c: "success" }).runnable, ["x"]);
    assert.deepEqual(step(d, { a: "success", c: "running" }).runnable, ["b"]);
    assert.equal(step(d, { a: "running", c: "running" }).runState, "running");
  });
});

describe("step(): skip and upstream_failed cascades are complete in one call", () => {
  const d = build((t) => {
    chain(t.task("a", op), t.task("b", op), t.task("c", op), t.task("d", op), t.task("e", op, { triggerRule: "all_done" }));
  });

  it("a skipped root skips everything below through all_success, and all_done still runs", () => {
    const r = step(d, { a: "skipped" });
    assert.deepEqual(r.skipped, ["b", "c", "d"]);
    assert.deepEqual(r.runnable, ["e"]);
  });

  it("a failure marks every all_success descendant upstream_failed", () => {
    const r = step(d, { a: "success", b: "failed" });
    assert.deepEqual(r.upstreamFailed, ["c", "d"]);
    assert.deepEqual(r.runnable, ["e"]);
    assert.deepEqual(r.states, { a: "success", b: "failed", c: "upstream_failed", d: "upstream_failed" });
  });
});

describe("DAG run state (leaves)", () => {
  const d = build((t) => {
    const a = t.task("a", op), b = t.task("b", op), cleanup = t.task("cleanup", op, { triggerRule: "all_done" });
    a.then(b).then(cleanup);
  });

  it("success when every leaf is success or skipped, even though a middle task failed", () => {
    const r = simulate(d, { b: "failed" });
    assert.equal(r.runState, "success");
    assert.deepEqual(r.states, { a: "success", b: "failed", cleanup: "success" });
  });

  it("failed when a leaf failed", () => {
    assert.equal(simulate(d, { cleanup: "failed" }).runState, "failed");
  });

  it("failed when a leaf is upstream_failed", () => {
    const chainDag = build((t) => { t.task("a", op).then(t.task("b", op)); });
    const r = simulate(chainDag, { a: "failed" });
    assert.equal(r.runState, "failed");
    assert.deepEqual(r.states, { a: "failed", b: "upstream_failed" });
  });

  it("running while anything is unfinished", () => {
    assert.equal(decideRunState(d, { a: "success", b: "success", cleanup: "running" }, false).runState, "running");
    assert.equal(decideRunState(d, { a: "success", b: "up_for_retry" }, false).runState, "running");
  });

  it("a deadlock (unfinished tasks, none in progress, none runnable) fails the run", () => {
    // An upstream in state "removed" never satisfies all_success for an unmapped task.
    const r = step(d, { a: "removed" });
    assert.equal(r.deadlocked, true);
    assert.equal(r.runState, "failed");
  });

  it("dagrun_timeout skips every unfinished task", () => {
    const timed = dag({ dagId: "t", schedule: null, dagrunTimeout: "1h", tasks: (t) => { t.task("a", op).then(t.task("b", op)); } });
    assert.equal(dagRunTimedOut(timed, 0, 3_600_000), false);
    assert.equal(dagRunTimedOut(timed, 0, 3_600_001), true);
    assert.deepEqual(timeOutRun(timed, { a: "running" }), { states: { a: "skipped", b: "skipped" }, skipped: ["a", "b"] });
  });
});

describe("depends_on_past", () => {
  const d = build((t) => { t.task("a", op, { dependsOnPast: true }).then(t.task("b", op)); });

  it("passes on the first run and when the previous instance succeeded or was skipped", () => {
    assert.deepEqual(step(d, {}).runnable, ["a"]);
    assert.deepEqual(step(d, {}, { previousRun: { a: "success" } }).runnable, ["a"]);
    assert.deepEqual(step(d, {}, { previousRun: { a: "skipped" } }).runnable, ["a"]);
  });

  it("otherwise the task waits and the run stays running (not a deadlock)", () => {
    for (const previousRun of [{ a: "failed" }, { a: "running" }, {}] as TaskStates[]) {
      const r = step(d, {}, { previousRun });
      assert.deepEqual(r.runnable, []);
      assert.deepEqual(r.waitingOnPast, ["a"]);
      assert.equal(r.runState, "running");
      assert.equal(r.deadlocked, false);
    }
  });
});

describe("branching (skipmixin)", () => {
  const d = build((t) => {
    const branch = t.branch("branch", op);
    const a = t.task("a", op), b = t.task("b", op), a2 = t.task("a2", op), b2 = t.task("b2", op);
    const joinAll = t.task("join_all_success", op);
    const joinNf = t.task("join_nfmos", op, { triggerRule: "none_failed_min_one_success" });
    branch.then([a, b]);
    a.then(a2);
    b.then(b2);
    t.list(a2, b2).then(joinAll);
    t.list(a2, b2).then(joinNf);
    t.group("grp", (g) => { g.task("first", op).then(g.task("second", op)); });
    branch.then(t.task("unrelated", op));
  });

  it("followed = chosen tasks and everything below; only direct downstreams not followed are skipped", () => {
    const r = resolveBranch(d, "branch", "a");
    assert.ok(r.ok);
    assert.deepEqual(r.followed, ["a", "a2", "join_all_success", "join_nfmos"]);
    assert.deepEqual(r.skip, ["b", "unrelated"]);
  });

  it("join with all_success is skipped; with none_failed_min_one_success it runs after the chosen path", () => {
    const r = simulate(d, { branch: { branch: "a" } });
    assert.equal(r.states.b, "skipped");
    assert.equal(r.states.b2, "skipped");
    assert.equal(r.states.join_all_success, "skipped");
    assert.equal(r.states.join_nfmos, "success");
    assert.equal(r.states.a2, "success");
    assert.ok(r.started.indexOf("join_nfmos") > r.started.indexOf("a2"));
    assert.equal(r.runState, "success");
  });

  it("a list follows several; None and [] skip every direct downstream", () => {
    const many = resolveBranch(d, "branch", ["a", "b"]);
    assert.ok(many.ok);
    assert.deepEqual(many.skip, ["unrelated"]);
    for (const returned of [null, undefined, []]) {
      const none = resolveBranch(d, "branch", returned);
      assert.ok(none.ok);
      assert.deepEqual(none.skip, ["a", "b", "unrelated"]);
    }
    const r = simulate(d, { branch: { branch: null } });
    assert.equal(r.states.join_nfmos, "skipped");
    assert.equal(r.runState, "success");
  });

  it("a task-group id means the group's roots", () => {
    const groupDag = build((t) => {
      const branch = t.branch("branch", op);
      const grp = t.group("grp", (g) => { g.task("first", op).then(g.task("second", op)); });
      branch.then([grp, t.task("other", op)]);
    });
    const r = resolveBranch(groupDag, "branch", "grp");
    assert.ok(r.ok);
    assert.deepEqual(r.followed, ["grp.first", "grp.second"]);
    assert.deepEqual(r.skip, ["other"]);
  });

  it("a direct downstream that is also downstream of a followed task is not skipped", () => {
    const shortcut = build((t) => {
      const branch = t.branch("branch", op), task1 = t.task("task1", op), join = t.task("join", op);
      branch.then([task1, join]);
      task1.then(join);
    });
    const r = resolveBranch(shortcut, "branch", "task1");
    assert.ok(r.ok);
    assert.deepEqual(r.skip, []);
    const run = simulate(shortcut, { branch: { branch: "task1" } });
    assert.deepEqual(run.states, { branch: "success", task1: "success", join: "success" });
  });

  it("a non-string or unknown id fails the branch task with a clear message", () => {
    const bad = resolveBranch(d, "branch", ["a", 3]);
    assert.deepEqual(bad, { ok: false, error: "branch task 'branch': branch task ids must be strings; invalid: 3 (number)" });
    const unknown = resolveBranch(d, "branch", "nope");
    assert.deepEqual(unknown, { ok: false, error: "branch task 'branch' returned unknown task id(s): 'nope'" });
    const object = resolveBranch(d, "branch", { id: "a" });
    assert.equal(object.ok, false);
    const run = simulate(d, { branch: { branch: "nope" } });
    assert.equal(run.states.branch, "failed");
    assert.equal(run.states.a, "upstream_failed");
    assert.equal(run.states.join_nfmos, "upstream_failed");
    assert.equal(run.runState, "failed");
    assert.match(run.errors.branch, /unknown task id/);
  });
});

describe("PIPELINES.md section 4: parent_dag", () => {
  const parent = (finishRule?: "none_failed_min_one_success") => build((t) => {
    chain(
      t.task("start", op),
      t.task("random_generator", op),
      t.branch("make_decision", op),
      [t.task("trigger_A", op), t.task("trigger_B", op)],
    );
    t.task("finish", op, { triggerRule: finishRule, upstream: ["trigger_A", "trigger_B"] });
  });

  it("with Airflow's default rule, finish is skipped after the branch", () => {
    const r = simulate(parent(), { make_decision: { branch: "trigger_A" } });
    assert.deepEqual(r.states, {
      start: "success", random_generator: "success", make_decision: "success",
      trigger_A: "success", trigger_B: "skipped", finish: "skipped",
    });
    assert.equal(r.runState, "success");
    // Skipped as soon as trigger_B was, without waiting for trigger_A.
    assert.ok(!r.started.includes("finish"));
  });

  it("with none_failed_min_one_success, finish runs after the chosen trigger (odd -> trigger_B)", () => {
    const r = simulate(parent("none_failed_min_one_success"), { make_decision: { branch: "trigger_B" } });
    assert.equal(r.states.trigger_A, "skipped");
    assert.equal(r.states.trigger_B, "success");
    assert.equal(r.states.finish, "success");
    assert.deepEqual(r.started.slice(-2), ["trigger_B", "finish"]);
  });

  it("if the chosen trigger fails, finish is upstream_failed and the run fails", () => {
    const r = simulate(parent("none_failed_min_one_success"), { make_decision: { branch: "trigger_A" }, trigger_A: "failed" });
    assert.equal(r.states.finish, "upstream_failed");
    assert.equal(r.runState, "failed");
  });
});

describe("PIPELINES.md section 3: sensor_with_conditions", () => {
  const sensors = build((t) => {
    const start = t.task("start", op);
    const sensorOpts = { pokeInterval: 5, timeout: 15, mode: "reschedule" as const, softFail: true, onFailureCallback: "log_timeout" };
    const blob = [1, 2, 3].map((i) => t.sensor(`blob_sensor_${i}`, operator("blob_prefix", {}), sensorOpts));
    const pg = [1, 2].map((i) => t.sensor(`postgres_conn_${i}`, operator("sql_sensor", {}), sensorOpts));
    start.then([...blob, ...pg]);
    const sensor4 = t.sensor("blob_sensor_4", operator("blob_prefix", {}), {
      ...sensorOpts, triggerRule: "none_failed_min_one_success", expand: { prefix: ["sensor", "not_exist_blob", "some_blob"] },
    });
    t.list(...blob).then(sensor4).then(t.task("done", op, { triggerRule: "none_failed_min_one_success" })).then(t.task("finish", op));
    t.list(...pg).then(t.task("all_success", op, { triggerRule: "all_success" }));
  });

  it("soft-failed sensors are skipped; the mapped sensor and done run while any sensor found its blob", () => {
    const r = simulate(sensors, {
      blob_sensor_1: "success", blob_sensor_2: "skipped", blob_sensor_3: "success",
      blob_sensor_4: { instances: ["success", "skipped", "success"] },
      postgres_conn_1: "success", postgres_conn_2: "skipped",
    });
    assert.deepEqual(r.states.blob_sensor_4, ["success", "skipped", "success"]);
    assert.equal(r.states.done, "success");
    assert.equal(r.states.finish, "success");
    assert.equal(r.states.all_success, "skipped");
    assert.equal(r.runState, "success");
  });

  it("every blob sensor timing out (soft_fail) skips blob_sensor_4, done and finish", () => {
    const r = simulate(sensors, { blob_sensor_1: "skipped", blob_sensor_2: "skipped", blob_sensor_3: "skipped" });
    assert.equal(r.states.blob_sensor_4, "skipped");
    assert.equal(r.states.done, "skipped");
    assert.equal(r.states.finish, "skipped");
    assert.equal(r.states.all_success, "success");
    assert.equal(r.runState, "success");
  });

  it("all mapped instances skipped: done is skipped too", () => {
    const r = simulate(sensors, { blob_sensor_4: { instances: ["skipped", "skipped", "skipped"] } });
    assert.equal(r.states.done, "skipped");
    assert.equal(r.states.finish, "skipped");
  });

  it("a sensor that fails outright (no soft_fail path, e.g. a poke error) fails done's branch", () => {
    const r = simulate(sensors, { blob_sensor_2: "failed", postgres_conn_1: "failed" });
    assert.equal(r.states.blob_sensor_4, "upstream_failed");
    assert.equal(r.states.done, "upstream_failed");
    assert.equal(r.states.finish, "upstream_failed");
    assert.equal(r.states.all_success, "upstream_failed");
    assert.equal(r.runState, "failed");
  });

  it("mapped instance states feed done's rule: one failed instance makes it upstream_failed", () => {
    const r = simulate(sensors, { blob_sensor_4: { instances: ["success", "failed", "skipped"] } });
    assert.equal(r.states.done, "upstream_failed");
    assert.equal(r.runState, "failed");
  });
});
