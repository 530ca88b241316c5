// The DAGs of the web UI's browser tests, with ids unique to this process so reruns never meet
// runs an earlier test run left in Azurite. Tests import this before loading the app.
import { dag, empty, python, timeDeltaSensor } from "../../../orchestrations/runtime";
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";

export const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** The Variable whose value decides whether `flaky` succeeds ("yes") or fails. */
export const flakyVariable = `ui_flaky_ok_${suffix}`;

/**
 * greet (reads dag_run.conf) -> group "process" (numbers -> doubled, mapped) -> choose (a branch
 * to path_a, skipping path_b) -> flaky (none_failed_min_one_success; fails until the Variable
 * says yes) -> finish, so a failed flaky fails the run.
 */
export const flowDag: CompiledDag = dag({
  dagId: `ui_flow_${suffix}`,
  schedule: null,
  startDate: "2024-01-01",
  tags: ["web-ui-test"],
  tasks: (t) => {
    const greet = t.task("greet", python("ui.greet", { who: "{{ dag_run.conf.get('who', 'nobody') }}", day: "{{ ds }}" }));
    const process = t.group("process", (g) => {
      const numbers = g.task("numbers", python("ui.numbers"));
      numbers.then(g.task("doubled", python("ui.double"), { expand: { x: numbers.output } }));
    });
    const choose = t.branch("choose", python("ui.choose"));
    const pathA = t.task("path_a", empty());
    const pathB = t.task("path_b", empty());
    const flaky = t.task("flaky", python("ui.flaky", { ok: `{{ var.value.${flakyVariable} }}` }), { triggerRule: "none_failed_min_one_success" });
    const finish = t.task("finish", empty());
    greet.then(process).then(choose).then([pathA, pathB]);
    t.list(pathA, pathB).then(flaky).then(finish);
  },
});

/** A run that waits on a durable timer: a running task to try to clear. */
export const waitDag: CompiledDag = dag({
  dagId: `ui_wait_${suffix}`,
  schedule: null,
  startDate: "2024-01-01",
  tags: ["web-ui-test"],
  tasks: (t) => {
    t.task("wait", timeDeltaSensor({ delta: "10d" }));
  },
});

/** Scheduled every 2 seconds from now: pausing it must stop its runs. */
export const tickDag: CompiledDag = dag({
  dagId: `ui_tick_${suffix}`,
  schedule: { every: "2s" },
  startDate: new Date(Date.now() - 60_000).toISOString(),
  catchup: false,
  tags: ["web-ui-test", "scheduled"],
  tasks: (t) => {
    t.task("tick", empty());
  },
});

export const webUiDags: CompiledDag[] = [flowDag, waitDag, tickDag];
