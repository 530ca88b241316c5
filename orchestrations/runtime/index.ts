// The DAG runtime's public surface: what DAG files, the generic orchestrator, the triggers and the
// REST API import. Everything here is deterministic (no clock, no I/O) and safe in orchestrator code.
export * from "./dag";
export { DEFAULT_MAX_ACTIVE_RUNS, DEFAULT_POKE_INTERVAL_SECONDS, DEFAULT_RETRY_DELAY_SECONDS, DEFAULT_SENSOR_TIMEOUT_SECONDS } from "./compile-dag";
export { parseDuration } from "./duration";
export type { Duration } from "./duration";
export { compileSchedule, describeSchedule, CRON_PRESETS } from "./schedule";
export type { CompiledSchedule, ScheduleInput } from "./schedule";
export { xcomRef, isXComRef, findXComRefs, resolveXComRefs, DEFAULT_XCOM_KEY } from "./xcom-ref";
export type { XComRef } from "./xcom-ref";
export * from "./states";
export { TRIGGER_RULES, evaluateTriggerRule, isTriggerRule } from "./trigger-rules";
export type { TriggerDecision, TriggerRule, UpstreamCounts } from "./trigger-rules";
export { step, stepTasks, evaluateTask, upstreamCounts, decideRunState, timeOutRun, dagRunTimedOut } from "./scheduler";
export type { IncrementalStep, StepOptions, StepResult } from "./scheduler";
export { resolveBranch, applyBranchSkips } from "./branching";
export type { BranchDecision } from "./branching";
export { expandMapping, instanceConfig, collectMappedResults, MAX_MAP_LENGTH } from "./mapping";
export type { Expansion } from "./mapping";
export { retryDelaySeconds, retryHashInput, shouldRetry, MAX_RETRY_DELAY_SECONDS } from "./retry";
export {
  sensorElapsedSeconds, sensorHashInput, sensorNextPokeSeconds, sensorPokeErrorOutcome, sensorTimedOut, sensorTimeoutState,
} from "./sensor";
export { parseCron, cronNext, cronPrev, cronPrevOrAt, cronMatches, CronError } from "./cron";
export type { CronExpression } from "./cron";
export { timetableFor, scheduledRunsDue, nextScheduledRun, backfillRuns, manualRunInfo } from "./timetable";
export type { DagRunInfo, DataInterval, Timetable, TimeRestriction } from "./timetable";
export { runIdFor, instanceIdFor, MAX_INSTANCE_ID_LENGTH } from "./run-ids";
export type { RunType } from "./run-ids";
export { toNcrontab, NcrontabError } from "./ncrontab";
export { airflowIso, parseInstant } from "./time";
export type { InstantInput } from "./time";
export { isoUtc } from "./calendar";
export { strftime, strptime } from "./strftime";
export { render, renderDeep, evaluateExpression, buildTemplateContext, templateContextFor, MACROS, TemplateError } from "./templates";
export type { TemplateContext, TemplateRun, XComLookup } from "./templates";
export type { JsonValue, JsonObject } from "./json";
export * from "./operators";
export { dagOrchestrator } from "./dag-orchestrator";
export type { DagRunInput, DagRunOutput } from "./run-input";
