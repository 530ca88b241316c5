// Bench app for `npm run bench -- ui`: the REST API, the UI's static files and two DAGs whose grid
// the browser draws: 50 tasks (two task groups, a mapped task, a branch) and 300 tasks (the
// "stays usable" size). Their runs are written into the ledger by bench/ui.ts, not run here.
import "../../functions/activities";
import "../../functions/http/api";
import "../../functions/http/ui/static-files";
import { registerCallable } from "../../functions/activities/callable";
import { registerDag } from "../../functions/register-dag";
import { dag, empty, python } from "../../orchestrations/runtime";
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";

registerCallable("bench_ui.noop", () => null);
registerCallable("bench_ui.pick", () => "report");

const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(3, "0")}`;

/** `tasks` tasks: extract and load groups of ten, a mapped task, a branch, and chains for the rest. */
function gridDag(dagId: string, tasks: number): CompiledDag {
  return dag({
    dagId,
    schedule: "@daily",
    startDate: "2024-01-01",
    catchup: false,
    tags: ["bench"],
    tasks: (t) => {
      const start = t.task("start", empty());
      const extract = t.group("extract", (g) => {
        for (let i = 0; i < 10; i++) g.task(id("pull", i), python("bench_ui.noop"));
      });
      const mapped = t.task("fan_out", python("bench_ui.noop"), { expand: { x: [1, 2, 3, 4] } });
      const load = t.group("load", (g) => {
        for (let i = 0; i < 10; i++) g.task(id("load", i), python("bench_ui.noop"));
      });
      const decide = t.branch("decide", python("bench_ui.pick"));
      const report = t.task("report", empty());
      const skipped = t.task("alert", empty());
      // 26 tasks so far; the rest in chains of 12 after the branch's report.
      const rest = Array.from({ length: tasks - 26 }, (_, i) => t.task(id("step", i), python("bench_ui.noop")));
      const end = t.task("end", empty(), { triggerRule: "none_failed" });
      start.then(extract).then(mapped).then(load).then(decide).then([report, skipped]);
      for (let i = 0; i < rest.length; i += 12) t.chain(report, ...rest.slice(i, i + 12), end);
      skipped.then(end);
    },
  });
}

// Ids unique to the process: a bench never meets the runs of another one in a shared Azurite.
const suffix = Date.now().toString(36);
export const grid50 = gridDag(`bench_ui_grid50_${suffix}`, 50);
export const grid300 = gridDag(`bench_ui_grid300_${suffix}`, 300);

registerDag(grid50);
registerDag(grid300);
