// The host's retry policy for callActivityWithRetry / callSubOrchestratorWithRetry (DTFx
// RetryInterceptor): after failed attempt k (1-based) wait
//   min(firstRetryInterval * backoffCoefficient^(k-1), maxRetryInterval)
// unless retryTimeout (measured from the first attempt) has passed. The host waits this backoff
// after the last attempt too before surfacing the failure; the SDK expects that timer.

export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** Backoff in ms after `failedAttempt`, or undefined when the retry timeout has expired. */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, firstAttemptAt: Date, now: Date): number | undefined {
  const timeout = policy.retryTimeoutInMilliseconds;
  if (timeout !== undefined && timeout > 0 && timeout < Number.MAX_SAFE_INTEGER && now.getTime() >= firstAttemptAt.getTime() + timeout) return undefined;
  const coefficient = policy.backoffCoefficient && policy.backoffCoefficient > 0 ? policy.backoffCoefficient : 1;
  const delay = policy.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempt - 1);
  const cap = policy.maxRetryIntervalInMilliseconds;
  return cap !== undefined && cap > 0 && delay > cap ? cap : delay;
}
