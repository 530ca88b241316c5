import type { DagSpec, TaskSpec } from "./dag-definition";
import { DagDefinitionError, DefinitionProblems } from "./dag-errors";
import { optionalDuration } from "../time/duration";
import { findCycle } from "./graph";
import { idProblem } from "./ids";
import { findNonJson, isPlainObject } from "./json";
import { compileSchedule } from "../time/schedule";
import { parseInstant } from "../time/time";
import { canonicalTriggerRule, TRIGGER_RULES } from "../rules/trigger-rules";
import { findXComRefs, isXComRef } from "./xcom-ref";

// Definition-time checks. Every problem found is reported (one DagDefinitionError holding one line
// per problem, each naming the DAG and the task), so a bad DAG file fails when the app loads
// instead of in the middle of a run, and all its problems can be fixed at once.

/** Task or group id -> the upstream task ids it means (a group means its leaves). */
function leavesOf(spec: DagSpec, groupId: string, upstreams: Map<string, string[]>): string[] {
  const group = spec.groups.find((g) => g.groupId === groupId);
  if (!group) return [];
  const members = new Set(group.taskIds);
  return group.taskIds.filter((id) => !group.taskIds.some((other) => (upstreams.get(other) ?? []).includes(id) && members.has(other)));
}

/**
 * Every task's upstream ids: drawn edges, `upstream` option ids (a group id means its leaves) and
 * tasks whose XCom the config or mapping references. Unknown ids are returned as they are.
 */
export function resolveUpstreams(spec: DagSpec): Map<string, string[]> {
  const taskIds = new Set(spec.tasks.map((t) => t.taskId));
  const groupIds = new Set(spec.groups.map((g) => g.groupId));
  const upstreams = new Map<string, string[]>(spec.tasks.map((t) => [t.taskId, [...t.upstream]]));
  const add = (task: TaskSpec, id: string): void => {
    const list = upstreams.get(task.taskId) as string[];
    if (!list.includes(id)) list.push(id);
  };
  for (const task of spec.tasks) {
    for (const ref of [...findXComRefs(task.op.config), ...findXComRefs(task.options.expand), ...findXComRefs(task.options.expandKwargs)]) {
      add(task, ref.$xcom.taskId);
    }
  }
  // Named upstreams last, so a group's leaves are taken from the finished edges.
  for (const task of spec.tasks) {
    for (const id of task.options.upstream ?? []) {
      if (groupIds.has(id) && !taskIds.has(id)) for (const leaf of leavesOf(spec, id, upstreams)) add(task, leaf);
      else add(task, id);
    }
  }
  return upstreams;
}

function checkDuration(fail: (problem: string) => never, name: string, value: unknown): void {
  try {
    optionalDuration(value as number | string | null | undefined);
  } catch (error) {
    fail(`${name}: ${(error as Error).message}`);
  }
}

function checkCallbacks(fail: (problem: string) => never, name: string, value: unknown): void {
  if (value === undefined) return;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== "string" || v.length === 0)) {
    fail(`${name} must be a callback name or a list of names`);
  }
}

function checkRetries(fail: (problem: string) => never, value: unknown): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 0)) {
    fail(`retries must be a non-negative integer, got ${String(value)}`);
  }
}

function checkTask(spec: DagSpec, task: TaskSpec): void {
  const dagId = spec.definition.dagId;
  const fail = (problem: string): never => {
    throw new DagDefinitionError(dagId, task.taskId, problem);
  };
  const o = { ...spec.definition.defaultArgs, ...task.options };
  if (typeof task.op?.operator !== "string" || task.op.operator.length === 0) fail("operator must be a non-empty name");
  const badConfig = findNonJson(task.op.config === undefined ? null : task.op.config);
  if (badConfig !== null) fail(`config is not plain JSON data at ${badConfig}`);
  if (o.triggerRule !== undefined && canonicalTriggerRule(o.triggerRule) === undefined) {
    fail(`unknown trigger rule '${String(o.triggerRule)}' (known: ${TRIGGER_RULES.join(", ")})`);
  }
  checkRetries(fail, o.retries);
  for (const name of ["retryDelay", "maxRetryDelay", "executionTimeout", "sla", "pokeInterval", "timeout", "maxWait"] as const) {
    checkDuration(fail, name, o[name]);
  }
  for (const name of ["onSuccessCallback", "onFailureCallback", "onRetryCallback"] as const) checkCallbacks(fail, name, o[name]);
  if (task.kind === "sensor" && o.mode !== undefined && o.mode !== "poke" && o.mode !== "reschedule") {
    fail(`sensor mode must be "poke" or "reschedule", got '${String(o.mode)}'`);
  }
  if (task.options.params !== undefined) {
    if (!isPlainObject(task.options.params)) fail("params must be an object");
    const bad = findNonJson(task.options.params);
    if (bad !== null) fail(`params are not plain JSON data at ${bad}`);
  }
  const { expand, expandKwargs } = task.options;
  if (expand !== undefined && expandKwargs !== undefined) fail("use either expand or expandKwargs, not both");
  if (expand !== undefined) {
    if (!isPlainObject(expand) || Object.keys(expand).length === 0) fail("expand needs at least one argument");
    for (const [name, value] of Object.entries(expand)) {
      if (!isXComRef(value) && !Array.isArray(value) && !isPlainObject(value)) {
        fail(`expand argument '${name}' must be a list, a dict or an upstream's output, got ${typeof value}`);
      }
      const bad = findNonJson(value);
      if (bad !== null) fail(`expand argument '${name}' is not plain JSON data at ${bad}`);
    }
  }
  if (expandKwargs !== undefined) {
    if (!isXComRef(expandKwargs) && !Array.isArray(expandKwargs)) fail("expandKwargs must be a list of dicts or an upstream's output");
    const bad = findNonJson(expandKwargs);
    if (bad !== null) fail(`expandKwargs is not plain JSON data at ${bad}`);
  }
  if (task.kind === "branch" && (expand !== undefined || expandKwargs !== undefined)) fail("a branch task cannot be mapped");
}

/** Throws a DagDefinitionError listing every problem found in the DAG. */
export function validateDag(spec: DagSpec): void {
  const def = spec.definition;
  const dagId = typeof def.dagId === "string" ? def.dagId : String(def.dagId);
  const failDag = (problem: string): never => {
    throw new DagDefinitionError(dagId, null, problem);
  };
  const problems = new DefinitionProblems();
  problems.check(() => {
    const idIssue = idProblem(def.dagId);
    if (idIssue !== null) failDag(`invalid dag id: ${idIssue}`);
  });

  let scheduled = false;
  problems.check(() => {
    try {
      scheduled = compileSchedule(def.schedule).kind !== "manual";
    } catch (error) {
      failDag(`invalid schedule ${JSON.stringify(def.schedule)}: ${(error as Error).message}`);
    }
  });
  problems.check(() => {
    let start: number | null = null;
    let end: number | null = null;
    try {
      if (def.startDate !== undefined) start = parseInstant(def.startDate);
      if (def.endDate !== undefined) end = parseInstant(def.endDate);
    } catch (error) {
      failDag((error as Error).message);
    }
    if (scheduled && start === null) failDag("a scheduled DAG needs a startDate");
    if (start !== null && end !== null && end < start) failDag("endDate is before startDate");
  });
  problems.check(() => {
    if (def.maxActiveRuns !== undefined && (!Number.isInteger(def.maxActiveRuns) || def.maxActiveRuns < 1)) {
      failDag(`maxActiveRuns must be a positive integer, got ${String(def.maxActiveRuns)}`);
    }
  });
  problems.check(() => checkDuration(failDag, "dagrunTimeout", def.dagrunTimeout));
  problems.check(() => checkCallbacks(failDag, "onSuccessCallback", def.onSuccessCallback));
  problems.check(() => checkCallbacks(failDag, "onFailureCallback", def.onFailureCallback));
  problems.check(() => {
    if (def.params !== undefined) {
      if (!isPlainObject(def.params)) failDag("params must be an object");
      const bad = findNonJson(def.params);
      if (bad !== null) failDag(`params are not plain JSON data at ${bad}`);
    }
  });
  problems.check(() => {
    if (def.tags !== undefined && (!Array.isArray(def.tags) || def.tags.some((tag) => typeof tag !== "string"))) {
      failDag("tags must be a list of strings");
    }
  });
  problems.check(() => {
    if (def.defaultArgs?.triggerRule !== undefined && canonicalTriggerRule(def.defaultArgs.triggerRule) === undefined) {
      failDag(`defaultArgs: unknown trigger rule '${String(def.defaultArgs.triggerRule)}' (known: ${TRIGGER_RULES.join(", ")})`);
    }
  });

  const seen = new Set<string>();
  for (const group of spec.groups) {
    problems.check(() => {
      const issue = idProblem(group.groupId);
      if (issue !== null) failDag(`invalid task group id '${group.groupId}': ${issue}`);
      if (seen.has(group.groupId)) failDag(`duplicate task group id '${group.groupId}'`);
      seen.add(group.groupId);
    });
  }
  const idsOk = spec.tasks.map((task) => problems.check(() => {
    const issue = idProblem(task.taskId);
    if (issue !== null) throw new DagDefinitionError(dagId, String(task.taskId), `invalid task id: ${issue}`);
    if (seen.has(task.taskId)) {
      const what = spec.groups.some((g) => g.groupId === task.taskId) ? "a task group" : "another task";
      throw new DagDefinitionError(dagId, task.taskId, `duplicate task id: already used by ${what}`);
    }
    seen.add(task.taskId);
  }));
  for (const task of spec.tasks) problems.check(() => checkTask(spec, task));
  // The graph's checks need every id to be sound.
  if (idsOk.some((ok) => !ok)) problems.throwIfAny();

  const upstreams = resolveUpstreams(spec);
  const taskIds = new Set(spec.tasks.map((t) => t.taskId));
  let unknown = false;
  for (const task of spec.tasks) {
    for (const up of upstreams.get(task.taskId) ?? []) {
      if (!taskIds.has(up)) {
        unknown = true;
        problems.add(new DagDefinitionError(dagId, task.taskId, `unknown upstream task '${up}'`));
      }
    }
  }
  if (!unknown) {
    const cycle = findCycle(spec.tasks.map((t) => t.taskId), (id) => upstreams.get(id) ?? []);
    if (cycle !== null) problems.add(new DagDefinitionError(dagId, cycle[0], `cycle detected: ${cycle.join(" -> ")}`));
  }
  problems.throwIfAny();
}
