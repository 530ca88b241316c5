// The DAGs of the rest-api test app, with ids unique to this process so reruns never meet runs
// left in Azurite by an earlier test run. Tests import this before loading the app.
import { dag, python, timeDeltaSensor } from "../../../orchestrations/runtime";
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";

export const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** The Variable whose value decides whether `flaky` succeeds ("yes") or fails. */
export const flakyVariable = `flaky_ok_${suffix}`;

/** hello -> numbers -> doubled (mapped over numbers) -> flaky -> after; flaky fails unless the Variable says yes. */
export const flowDag: CompiledDag = dag({
  dagId: `rest_flow_${suffix}`,
  schedule: null,
  startDate: "2024-01-01",
  tags: ["rest-api-test"],
  tasks: (t) => {
    const hello = t.task("hello", python("rest.hello", { greeting: "{{ var.value.greeting }}", config: "{{ var.json.settings.colour }}" }));
    const numbers = t.task("numbers", python("rest.numbers"));
    const doubled = t.task("doubled", python("rest.double"), { expand: { x: numbers.output } });
    const flaky = t.task("flaky", python("rest.flaky", { ok: `{{ var.value.${flakyVariable} }}` }), { retries: 2, retryDelay: "1s" });
    const after = t.task("after", python("rest.hello", { greeting: "after" }));
    t.chain(hello, numbers, doubled, flaky, after);
  },
});

/** A run that waits an hour on a durable timer: for terminate, mark and reconcile tests. */
export const waitDag: CompiledDag = dag({
  dagId: `rest_wait_${suffix}`,
  schedule: "@daily",
  startDate: "2024-01-01",
  catchup: false,
  tags: ["rest-api-test", "waiting"],
  tasks: (t) => {
    t.task("wait", timeDeltaSensor({ delta: "10d" })).then(t.task("never", python("rest.hello", { greeting: "never" })));
  },
});

export const restDags: CompiledDag[] = [flowDag, waitDag];
