import type { RetryPolicy } from "../model/compiled-dag";
import { stableHash } from "./stable-hash";

// Airflow's TaskInstance retry rules (AIRFLOW-SEMANTICS.md, "Retries").
export const MAX_RETRY_DELAY_SECONDS = 24 * 60 * 60;

/** Whether the attempt `tryNumber` (1-based) that just failed may be retried. */
export function shouldRetry(policy: RetryPolicy, tryNumber: number): boolean {
  return tryNumber <= policy.retries;
}

/** The jitter hash input: one task instance's identity plus the attempt. */
export function retryHashInput(dagId: string, taskId: string, logicalDateIso: string, tryNumber: number): string {
  return `${dagId}#${taskId}#${logicalDateIso}#${tryNumber}`;
}

/**
 * Seconds to wait after attempt `tryNumber` failed. Without exponential backoff: retry_delay.
 * With it: base = ceil(retry_delay * 2^(try-1)) (at least 1), delay = base + hash % base, capped by
 * max_retry_delay and one day, so the n-th retry waits in [base, 2 base).
 */
export function retryDelaySeconds(policy: RetryPolicy, tryNumber: number, hashInput: string): number {
  if (!policy.exponentialBackoff) return policy.retryDelaySeconds;
  const base = Math.max(Math.ceil(policy.retryDelaySeconds * 2 ** (tryNumber - 1)), 1);
  const delay = Math.min(base + (stableHash(hashInput) % base), MAX_RETRY_DELAY_SECONDS);
  return policy.maxRetryDelaySeconds === null ? delay : Math.min(delay, policy.maxRetryDelaySeconds);
}
