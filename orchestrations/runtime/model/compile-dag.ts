import type { CompiledDag, CompiledGroup, CompiledTask, MappingSpec, SensorPolicy } from "./compiled-dag";
import type { CallbackNames, DagSpec, TaskSpec } from "./dag-definition";
import { optionalDuration } from "../time/duration";
import { topologicalOrder } from "./graph";
import { JsonObject, JsonValue, toJson } from "./json";
import { compileSchedule } from "../time/schedule";
import { isoUtc } from "../time/calendar";
import { parseInstant } from "../time/time";
import { resolveUpstreams, validateDag } from "./validate-dag";
import { canonicalTriggerRule, type TriggerRule } from "../rules/trigger-rules";

// Airflow's operator defaults (BaseOperator, BaseSensorOperator, DAG).
export const DEFAULT_RETRY_DELAY_SECONDS = 300;
export const DEFAULT_POKE_INTERVAL_SECONDS = 60;
export const DEFAULT_SENSOR_TIMEOUT_SECONDS = 7 * 24 * 3600;
export const DEFAULT_MAX_ACTIVE_RUNS = 16;

function names(value: CallbackNames | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : [...value];
}

function compileSensor(o: TaskSpec["options"]): SensorPolicy {
  return {
    pokeIntervalSeconds: optionalDuration(o.pokeInterval) ?? DEFAULT_POKE_INTERVAL_SECONDS,
    timeoutSeconds: optionalDuration(o.timeout) ?? DEFAULT_SENSOR_TIMEOUT_SECONDS,
    mode: o.mode ?? "poke",
    softFail: o.softFail ?? false,
    exponentialBackoff: o.exponentialBackoff ?? false,
    maxWaitSeconds: optionalDuration(o.maxWait),
    silentFail: o.silentFail ?? false,
    neverFail: o.neverFail ?? false,
  };
}

function compileMapping(o: TaskSpec["options"], what: string): MappingSpec | null {
  if (o.expand !== undefined) {
    return { kind: "expand", args: toJson(o.expand, `${what} expand`) as { [name: string]: JsonValue } };
  }
  if (o.expandKwargs !== undefined) return { kind: "expand_kwargs", source: toJson(o.expandKwargs, `${what} expandKwargs`) };
  return null;
}

function compileTask(spec: DagSpec, task: TaskSpec, upstream: string[], downstream: string[], warnings: string[]): CompiledTask {
  const o = { ...spec.definition.defaultArgs, ...task.options };
  const what = `task '${task.taskId}'`;
  const rule = o.triggerRule ?? "all_success";
  const triggerRule = canonicalTriggerRule(rule) as TriggerRule;
  if (triggerRule !== rule) {
    warnings.push(`DAG '${spec.definition.dagId}', ${what}: trigger rule '${rule}' is deprecated; use '${triggerRule}' (Airflow 3 no longer accepts it).`);
  }
  return {
    taskId: task.taskId,
    kind: task.kind,
    operator: task.op.operator,
    config: toJson(task.op.config === undefined ? null : task.op.config, `${what} config`),
    upstream,
    downstream,
    triggerRule,
    retry: {
      retries: o.retries ?? 0,
      retryDelaySeconds: optionalDuration(o.retryDelay) ?? DEFAULT_RETRY_DELAY_SECONDS,
      exponentialBackoff: o.retryExponentialBackoff ?? false,
      maxRetryDelaySeconds: optionalDuration(o.maxRetryDelay),
    },
    executionTimeoutSeconds: optionalDuration(o.executionTimeout),
    sensor: task.kind === "sensor" ? compileSensor(o) : null,
    mapping: compileMapping(task.options, what),
    dependsOnPast: o.dependsOnPast ?? false,
    slaSeconds: optionalDuration(o.sla),
    isSetup: task.options.setup ?? false,
    groupId: task.groupId,
    params: (task.options.params === undefined ? {} : toJson(task.options.params, `${what} params`)) as JsonObject,
    callbacks: { onSuccess: names(o.onSuccessCallback), onFailure: names(o.onFailureCallback), onRetry: names(o.onRetryCallback) },
    doc: task.options.doc ?? null,
  };
}

/** Validates the spec (throwing DagDefinitionError) and returns the compiled, JSON-safe DAG. */
export function compileDag(spec: DagSpec): CompiledDag {
  validateDag(spec);
  const def = spec.definition;
  const upstreams = resolveUpstreams(spec);
  const ids = spec.tasks.map((t) => t.taskId);
  const downstreams = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const up of upstreams.get(id) ?? []) downstreams.get(up)?.push(id);
  const order = topologicalOrder(ids, (id) => upstreams.get(id) ?? []);

  const tasks: Record<string, CompiledTask> = {};
  const warnings: string[] = [];
  for (const task of spec.tasks) {
    tasks[task.taskId] = compileTask(spec, task, upstreams.get(task.taskId) ?? [], downstreams.get(task.taskId) ?? [], warnings);
  }
  const groups: Record<string, CompiledGroup> = {};
  for (const group of spec.groups) {
    const members = new Set(group.taskIds);
    groups[group.groupId] = {
      groupId: group.groupId,
      taskIds: [...group.taskIds],
      roots: group.taskIds.filter((id) => !tasks[id].upstream.some((u) => members.has(u))),
      leaves: group.taskIds.filter((id) => !tasks[id].downstream.some((d) => members.has(d))),
    };
  }
  return {
    dagId: def.dagId,
    description: def.description ?? null,
    schedule: compileSchedule(def.schedule),
    startOnBlob: def.startOnBlob ?? false,
    startDate: def.startDate === undefined ? null : isoUtc(parseInstant(def.startDate)),
    endDate: def.endDate === undefined ? null : isoUtc(parseInstant(def.endDate)),
    catchup: def.catchup ?? true,
    maxActiveRuns: def.maxActiveRuns ?? DEFAULT_MAX_ACTIVE_RUNS,
    dagrunTimeoutSeconds: optionalDuration(def.dagrunTimeout),
    params: (def.params === undefined ? {} : toJson(def.params, "DAG params")) as JsonObject,
    tags: [...(def.tags ?? [])],
    callbacks: { onSuccess: names(def.onSuccessCallback), onFailure: names(def.onFailureCallback) },
    tasks,
    taskOrder: order,
    roots: order.filter((id) => tasks[id].upstream.length === 0),
    leaves: order.filter((id) => tasks[id].downstream.length === 0),
    groups,
    warnings,
  };
}
