// The DAG runtime's public surface: what DAG files, the generic orchestrator, the triggers and the
// REST API import. Everything here is deterministic (no clock, no I/O) and safe in orchestrator code.
export * from "./model/dag";
export { DEFAULT_MAX_ACTIVE_RUNS, DEFAULT_POKE_INTERVAL_SECONDS, DEFAULT_RETRY_DELAY_SECONDS, DEFAULT_SENSOR_TIMEOUT_SECONDS } from "./model/compile-dag";
export { parseDuration } from "./time/duration";
export type { Duration } from "./time/duration";
export { compileSchedule, describeSchedule, CRON_PRESETS } from "./time/schedule";
export type { CompiledSchedule, ScheduleInput } from "./time/schedule";
export { xcomRef, isXComRef, findXComRefs, resolveXComRefs, DEFAULT_XCOM_KEY } from "./model/xcom-ref";
export type { XComRef } from "./model/xcom-ref";
export * from "./rules/states";
export { TRIGGER_RULES, DEPRECATED_TRIGGER_RULES, canonicalTriggerRule, evaluateTriggerRule, isTriggerRule } from "./rules/trigger-rules";
export type { TriggerDecision, TriggerRule, UpstreamCounts } from "./rules/trigger-rules";
export { step, stepTasks, evaluateTask, upstreamCounts, decideRunState, timeOutRun, dagRunTimedOut } from "./rules/scheduler";
export type { IncrementalStep, StepOptions, StepResult } from "./rules/scheduler";
export { resolveBranch, applyBranchSkips } from "./rules/branching";
export type { BranchDecision } from "./rules/branching";
export { expandMapping, instanceConfig, collectMappedResults, MAX_MAP_LENGTH } from "./rules/mapping";
export type { Expansion } from "./rules/mapping";
export { retryDelaySeconds, retryHashInput, shouldRetry, MAX_RETRY_DELAY_SECONDS } from "./rules/retry";
export {
  sensorElapsedSeconds, sensorHashInput, sensorNextPokeSeconds, sensorPokeErrorOutcome, sensorTimedOut, sensorTimeoutState,
} from "./rules/sensor";
export { parseCron, cronNext, cronPrev, cronPrevOrAt, cronMatches, CronError } from "./time/cron";
export type { CronExpression } from "./time/cron";
export { timetableFor, scheduledRunsDue, nextScheduledRun, backfillRuns, manualRunInfo } from "./time/timetable";
export type { DagRunInfo, DataInterval, Timetable, TimeRestriction } from "./time/timetable";
export { runIdFor, instanceIdFor, MAX_INSTANCE_ID_LENGTH } from "./time/run-ids";
export type { RunType } from "./time/run-ids";
export { toNcrontab, NcrontabError } from "./time/ncrontab";
export { airflowIso, parseInstant } from "./time/time";
export type { InstantInput } from "./time/time";
export { isoUtc } from "./time/calendar";
export { strftime, strptime } from "./time/strftime";
export { render, renderDeep, evaluateExpression, buildTemplateContext, templateContextFor, MACROS, TemplateError } from "./templates/templates";
export type { TemplateContext, TemplateRun, XComLookup } from "./templates/templates";
export type { JsonValue, JsonObject } from "./model/json";
export * from "./model/operators";
export { dagOrchestrator } from "./orchestrator/dag-orchestrator";
export type { DagRunInput, DagRunOutput } from "./orchestrator/run-input";
