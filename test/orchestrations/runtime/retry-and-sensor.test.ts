import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RetryPolicy, SensorPolicy } from "../../../orchestrations/runtime/model/compiled-dag";
import { retryDelaySeconds, retryHashInput, shouldRetry } from "../../../orchestrations/runtime/rules/retry";
import {
  sensorElapsedSeconds, sensorHashInput, sensorNextPokeSeconds, sensorPokeErrorOutcome, sensorTimedOut, sensorTimeoutState,
} from "../../../orchestrations/runtime/rules/sensor";
import { stableHash } from "../../../orchestrations/runtime/rules/stable-hash";

// Expected numbers come from the formulas in AIRFLOW-SEMANTICS.md with the FNV-1a hashes below,
// which were computed by an independent implementation.
const HASH = {
  retry1: 1964872794, retry2: 1948095175, retry3: 1931317556,
  poke1: 758504819, poke2: 775282438, poke3: 792060057, poke4: 808837676,
};

describe("stable hash (FNV-1a, 32 bit)", () => {
  it("matches the published test vectors", () => {
    assert.equal(stableHash(""), 0x811c9dc5);
    assert.equal(stableHash("a"), 0xe40c292c);
    assert.equal(stableHash("foobar"), 0xbf9cf968);
    assert.equal(stableHash(retryHashInput("tutorial", "load_table", "2023-01-01T00:00:00+00:00", 1)), HASH.retry1);
    assert.equal(stableHash(sensorHashInput("s", "wait", "2023-01-01T00:00:00+00:00", 4)), HASH.poke4);
  });
});

describe("retry delays", () => {
  const policy = (p: Partial<RetryPolicy>): RetryPolicy => ({ retries: 3, retryDelaySeconds: 300, exponentialBackoff: false, maxRetryDelaySeconds: null, ...p });
  const input = (n: number) => retryHashInput("tutorial", "load_table", "2023-01-01T00:00:00+00:00", n);

  it("retries + 1 attempts in all", () => {
    assert.equal(shouldRetry(policy({ retries: 1 }), 1), true);
    assert.equal(shouldRetry(policy({ retries: 1 }), 2), false);
    assert.equal(shouldRetry(policy({ retries: 0 }), 1), false);
  });

  it("without backoff: retry_delay every time (max_retry_delay does not apply)", () => {
    for (const n of [1, 2, 3]) assert.equal(retryDelaySeconds(policy({ maxRetryDelaySeconds: 10 }), n, input(n)), 300);
  });

  it("with backoff: base + hash % base, base = ceil(retry_delay * 2^(try-1))", () => {
    const p = policy({ exponentialBackoff: true });
    assert.equal(retryDelaySeconds(p, 1, input(1)), 300 + (HASH.retry1 % 300)); // 594
    assert.equal(retryDelaySeconds(p, 1, input(1)), 594);
    assert.equal(retryDelaySeconds(p, 2, input(2)), 775);
    assert.equal(retryDelaySeconds(p, 3, input(3)), 1556);
  });

  it("capped by max_retry_delay and by one day; at least 1 second", () => {
    assert.equal(retryDelaySeconds(policy({ exponentialBackoff: true, maxRetryDelaySeconds: 700 }), 2, input(2)), 700);
    assert.equal(retryDelaySeconds(policy({ exponentialBackoff: true }), 20, input(20)), 86400);
    assert.equal(retryDelaySeconds(policy({ exponentialBackoff: true, retryDelaySeconds: 0 }), 1, input(1)), 1);
    assert.equal(retryDelaySeconds(policy({ exponentialBackoff: true, retryDelaySeconds: 0.3 }), 1, input(1)), 1);
  });
});

describe("sensor timing", () => {
  const policy = (p: Partial<SensorPolicy>): SensorPolicy => ({
    pokeIntervalSeconds: 60, timeoutSeconds: 7 * 86400, mode: "poke", softFail: false, exponentialBackoff: false,
    maxWaitSeconds: null, silentFail: false, neverFail: false, ...p,
  });
  const input = (n: number) => sensorHashInput("s", "wait", "2023-01-01T00:00:00+00:00", n);

  it("without backoff: poke_interval", () => {
    assert.equal(sensorNextPokeSeconds(policy({ pokeIntervalSeconds: 5, timeoutSeconds: 15 }), 3, 14, input(3)), 5);
  });

  it("with backoff: base = max(int(poke_interval * 2^(n-2)), 1), interval = base + hash % base", () => {
    const p = policy({ exponentialBackoff: true });
    assert.equal(sensorNextPokeSeconds(p, 1, 0, input(1)), 30 + (HASH.poke1 % 30)); // 59
    assert.equal(sensorNextPokeSeconds(p, 1, 0, input(1)), 59);
    assert.equal(sensorNextPokeSeconds(p, 2, 59, input(2)), 118);
    assert.equal(sensorNextPokeSeconds(p, 3, 177, input(3)), 177);
    assert.equal(sensorNextPokeSeconds(p, 4, 354, input(4)), 476);
  });

  it("capped by the remaining timeout and by max_wait", () => {
    const p = policy({ exponentialBackoff: true, pokeIntervalSeconds: 5, timeoutSeconds: 15 });
    assert.equal(sensorNextPokeSeconds(p, 1, 0, input(1)), 3);
    assert.equal(sensorNextPokeSeconds(p, 2, 3, input(2)), 8);
    assert.equal(sensorNextPokeSeconds(p, 3, 11, input(3)), 4); // 17 capped to 15 - 11
    assert.equal(sensorNextPokeSeconds(policy({ exponentialBackoff: true, maxWaitSeconds: 100 }), 4, 354, input(4)), 100);
    assert.equal(sensorNextPokeSeconds(policy({ exponentialBackoff: true, pokeIntervalSeconds: 1 }), 1, 0, input(1)), 1);
  });

  it("timeout counts from the first try in reschedule mode, from this try in poke mode", () => {
    const times = { firstTryStartMs: 0, tryStartMs: 100_000, nowMs: 130_000 };
    assert.equal(sensorElapsedSeconds(policy({ mode: "reschedule" }), times), 130);
    assert.equal(sensorElapsedSeconds(policy({ mode: "poke" }), times), 30);
    assert.equal(sensorTimedOut(policy({ timeoutSeconds: 15 }), 14.9), false);
    assert.equal(sensorTimedOut(policy({ timeoutSeconds: 15 }), 15), true);
  });

  it("a timeout ends SKIPPED with soft_fail, else FAILED; poke errors per silent_fail / never_fail", () => {
    assert.equal(sensorTimeoutState(policy({ softFail: true })), "skipped");
    assert.equal(sensorTimeoutState(policy({})), "failed");
    assert.equal(sensorPokeErrorOutcome(policy({})), "fail");
    assert.equal(sensorPokeErrorOutcome(policy({ silentFail: true })), "not_done");
    assert.equal(sensorPokeErrorOutcome(policy({ neverFail: true })), "skipped");
  });

  it("poke 5 s, timeout 15 s (sensor_with_conditions): pokes at 0, 5, 10, 15, then timed out", () => {
    const p = policy({ pokeIntervalSeconds: 5, timeoutSeconds: 15, mode: "reschedule", softFail: true });
    const pokes: number[] = [];
    let now = 0;
    for (let n = 1; ; n++) {
      pokes.push(now);
      if (sensorTimedOut(p, now)) break;
      now += sensorNextPokeSeconds(p, n, now, input(n));
    }
    assert.deepEqual(pokes, [0, 5, 10, 15]);
  });
});
