// Durable timers take a Date. Building one from a millisecond value derived from
// context.df.currentUtcDateTime is deterministic, so this is the one place orchestrations may
// touch the Date constructor; reading the clock stays banned.
export function dateAt(ms: number): Date {
  // eslint-disable-next-line no-restricted-globals -- constructing from a replay-safe value, not reading the clock
  return new Date(ms);
}
