// Observable side effects of the sample activities, shared with the tests. Kept apart from the
// entry so a test can import it without registering the app's functions itself.

/** Every activity invocation, in order: `${activity}:${JSON input}`. */
export const invocations: string[] = [];

/** Attempts per key for FlakyActivity. */
export const flakyAttempts = new Map<string, number>();

export function resetState(): void {
  invocations.length = 0;
  flakyAttempts.clear();
  concurrency.active = 0;
  concurrency.max = 0;
}

/** Concurrency observed by the Tracked activity. */
export const concurrency = { active: 0, max: 0 };
