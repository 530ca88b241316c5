// Trigger rules exactly as Airflow 2.10 evaluates them (AIRFLOW-SEMANTICS.md, "Trigger rules").
// Evaluation is in two steps, like Airflow's: first the states the scheduler may set at once
// (skipped / upstream_failed, which is what makes the skip cascade), then whether the task may run;
// a task that neither changes state nor may run waits.
export const TRIGGER_RULES = [
  "all_success", "all_failed", "all_done", "all_done_setup_success", "one_success", "one_failed",
  "one_done", "none_failed", "none_failed_min_one_success", "none_skipped", "all_skipped", "always",
] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === "string" && (TRIGGER_RULES as readonly string[]).includes(value);
}

/** Names Airflow 2.10 still accepts for two rules, with a deprecation warning (removed in Airflow 3). */
export const DEPRECATED_TRIGGER_RULES: Readonly<Record<string, TriggerRule>> = {
  dummy: "always",
  none_failed_or_skipped: "none_failed_min_one_success",
};

/** A current rule name, a deprecated one mapped to its rule, or undefined. */
export function canonicalTriggerRule(value: unknown): TriggerRule | undefined {
  if (isTriggerRule(value)) return value;
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(DEPRECATED_TRIGGER_RULES, value) ? DEPRECATED_TRIGGER_RULES[value] : undefined;
}

export type TriggerDecision = "run" | "skip" | "upstream_failed" | "wait";

/** Counts over the direct upstream task INSTANCES (every map index of a mapped upstream counts). */
export interface UpstreamCounts {
  upstream: number;
  success: number;
  failed: number;
  skipped: number;
  upstreamFailed: number;
  removed: number;
  /** Setup tasks among the direct upstreams (for all_done_setup_success). */
  setupUpstream: number;
  setupSuccess: number;
  setupSkipped: number;
}

export function emptyCounts(): UpstreamCounts {
  return { upstream: 0, success: 0, failed: 0, skipped: 0, upstreamFailed: 0, removed: 0, setupUpstream: 0, setupSuccess: 0, setupSkipped: 0 };
}

export function evaluateTriggerRule(rule: TriggerRule, c: UpstreamCounts): TriggerDecision {
  // Airflow passes these before looking at any count: `always` does not even wait for upstreams.
  if (rule === "always" || c.upstream === 0) return "run";
  const done = c.success + c.failed + c.skipped + c.upstreamFailed + c.removed;
  const allDone = done >= c.upstream;
  const anyFailed = c.failed + c.upstreamFailed > 0;

  switch (rule) {
    case "all_success":
      if (anyFailed) return "upstream_failed";
      if (c.skipped > 0) return "skip";
      return c.success >= c.upstream ? "run" : "wait";
    case "all_failed":
      if (c.success > 0 || c.skipped > 0) return "skip";
      return c.failed + c.upstreamFailed >= c.upstream ? "run" : "wait";
    case "all_done":
      return allDone ? "run" : "wait";
    case "all_done_setup_success":
      if (allDone && c.setupUpstream > 0 && c.setupSkipped >= c.setupUpstream) return "skip";
      if (allDone && c.setupUpstream > 0 && c.setupSuccess === 0) return "upstream_failed";
      return allDone ? "run" : "wait";
    case "one_success":
      if (allDone && done === c.skipped) return "skip";
      if (allDone && c.success === 0) return "upstream_failed";
      return c.success > 0 ? "run" : "wait";
    case "one_failed":
      if (allDone && !anyFailed) return "skip";
      return anyFailed ? "run" : "wait";
    case "one_done":
      if (allDone && c.success + c.failed === 0) return "skip";
      return c.success + c.failed > 0 ? "run" : "wait";
    case "none_failed":
      if (anyFailed) return "upstream_failed";
      return c.success + c.skipped >= c.upstream ? "run" : "wait";
    case "none_failed_min_one_success":
      if (anyFailed) return "upstream_failed";
      if (c.skipped >= c.upstream) return "skip";
      return c.success + c.skipped >= c.upstream ? "run" : "wait";
    case "none_skipped":
      if (c.skipped > 0) return "skip";
      return allDone ? "run" : "wait";
    case "all_skipped":
      if (c.success > 0 || anyFailed) return "skip";
      return c.skipped >= c.upstream ? "run" : "wait";
  }
}
