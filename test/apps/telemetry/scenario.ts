// Run as a child process by test/functions/telemetry/app-insights.test.ts, with the environment a
// deployment would have (APPLICATIONINSIGHTS_CONNECTION_STRING, and NODE_EXTRA_CA_CERTS so the
// exporter trusts the local ingestion server). It invokes one task activity directly with a known
// trace context and, given `--dags <container> <table>`, runs the telemetry DAGs on the local
// runtime; it flushes the telemetry and prints what the test needs as one JSON line.
import { InvocationContext } from "@azure/functions";
import { runDag, startTestRuntime } from "../../support/dag-runs";
import type { TaskInvocation } from "../../../orchestrations/runtime/orchestrator/task-invocation";

export const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
export const SPAN_ID = "00f067aa0ba902b7";

async function invokeDirectly(): Promise<{ outcome: string; hostLines: string[] }> {
  const { taskActivity } = await import("../../../functions/activities/task-activity");
  const { callableOperator, registerCallable } = await import("../../../functions/activities/callable");
  registerCallable("tel.direct", (_kwargs, ctx) => {
    ctx.log("a line from task code");
    return 42;
  });
  const hostLines: string[] = [];
  const invocation = new InvocationContext({
    invocationId: "inv-1", functionName: "op_python",
    traceContext: { traceParent: `00-${TRACE_ID}-${SPAN_ID}-01`, traceState: "", attributes: {} },
    logHandler: (_level, ...args) => hostLines.push(args.join(" ")),
  });
  const input: TaskInvocation = {
    dagId: "direct_dag", runId: "manual__2024-05-01T00:00:00+00:00", taskId: "direct_task", mapIndex: 3, tryNumber: 2, maxTries: 3,
    operator: "python", mode: "execute", config: { callable: "tel.direct", kwargs: {} },
    run: { runType: "manual", logicalDate: "2024-05-01T00:00:00.000Z", dataIntervalStart: "2024-05-01T00:00:00.000Z", dataIntervalEnd: "2024-05-01T00:00:00.000Z", conf: {} },
    dagParams: {}, taskParams: {}, xcoms: {}, scheduledAt: new Date().toISOString(), executionTimeoutSeconds: null, runDeadline: null,
    version: "000000000000000.000000001", record: false,
  };
  const result = await taskActivity(callableOperator)(input, invocation);
  return { outcome: result.outcome, hostLines };
}

async function main(args: string[]): Promise<void> {
  const out: Record<string, unknown> = {};
  const rt = args[0] === "--dags" ? await startTestRuntime("telemetry") : undefined;
  try {
    Object.assign(out, await invokeDirectly());
    if (rt) {
      const ok = await runDag(rt, "telemetry_ok", { conf: { container: args[1], table: args[2] } });
      const failed = await runDag(rt, "telemetry_fails");
      out.ok = { runId: ok.run.dag_run_id, state: ok.run.state, tasks: ok.tasks.map((t) => [t.task_id, t.map_index, t.state, t.error]) };
      out.failed = { runId: failed.run.dag_run_id, state: failed.run.state };
    }
  } finally {
    await rt?.close();
    const { shutdownTelemetry } = await import("../../../functions/telemetry/sinks");
    await shutdownTelemetry();
    const { closePostgresPools } = await import("../../../functions/hooks/postgres");
    await closePostgresPools();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

// The test imports the trace ids above; only a process started on this file runs the scenario.
if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
