import type { SensorPolicy } from "../model/compiled-dag";
import { stableHash } from "./stable-hash";

// Sensor timing as Airflow's BaseSensorOperator does it (AIRFLOW-SEMANTICS.md, "Sensors"). The
// orchestrator loops: poke activity -> done? -> timed out? -> durable timer for the next interval.

/** The jitter hash input: the sensor's identity, when it started, and the poke number. */
export function sensorHashInput(dagId: string, taskId: string, startedAtIso: string, pokeCount: number): string {
  return `${dagId}#${taskId}#${startedAtIso}#${pokeCount}`;
}

/**
 * Seconds since the sensor's timeout started counting: in reschedule mode from the FIRST try's
 * start (waiting included), in poke mode from the current try's start.
 */
export function sensorElapsedSeconds(policy: SensorPolicy, times: { firstTryStartMs: number; tryStartMs: number; nowMs: number }): number {
  const from = policy.mode === "reschedule" ? times.firstTryStartMs : times.tryStartMs;
  return (times.nowMs - from) / 1000;
}

/**
 * Whether a sensor whose last poke was not done has run out of time. Airflow compares with `>`
 * against a wall clock that has always moved on a little; on the durable (virtual) clock a poke can
 * land exactly on the timeout, so reaching it counts.
 */
export function sensorTimedOut(policy: SensorPolicy, elapsedSeconds: number): boolean {
  return elapsedSeconds >= policy.timeoutSeconds;
}

/** The state a timed-out sensor ends in: soft_fail (or never_fail) SKIPPED, else FAILED without retries. */
export function sensorTimeoutState(policy: SensorPolicy): "skipped" | "failed" {
  return policy.softFail || policy.neverFail ? "skipped" : "failed";
}

/** What an exception in poke means: a normal failure (retries apply), "not done yet", or SKIPPED. */
export function sensorPokeErrorOutcome(policy: SensorPolicy): "fail" | "not_done" | "skipped" {
  if (policy.neverFail) return "skipped";
  if (policy.silentFail) return "not_done";
  return "fail";
}

/**
 * Seconds to wait after poke number `pokeCount` (1-based) was not done. Without exponential
 * backoff: poke_interval. With it: base = max(int(poke_interval * 2^(n-2)), 1), interval =
 * base + hash % base, capped by the remaining timeout and max_wait.
 */
export function sensorNextPokeSeconds(policy: SensorPolicy, pokeCount: number, elapsedSeconds: number, hashInput: string): number {
  if (!policy.exponentialBackoff) return policy.pokeIntervalSeconds;
  const remaining = policy.timeoutSeconds - Math.floor(elapsedSeconds);
  const base = Math.max(Math.floor(policy.pokeIntervalSeconds * 2 ** (pokeCount - 2)), 1);
  // Once the base alone exceeds the remaining time the jitter cannot matter.
  const interval = base >= remaining ? base : base + (stableHash(hashInput) % base);
  let next = Math.min(remaining, interval);
  if (policy.maxWaitSeconds !== null) next = Math.min(policy.maxWaitSeconds, next);
  return next;
}
