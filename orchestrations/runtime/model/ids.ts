// Airflow's KEY_REGEX for dag and task ids: alphanumerics, dashes, dots and underscores, at most
// 250 characters. Dots are also how task-group ids are joined ("group.task").
export const MAX_ID_LENGTH = 250;
const KEY = /^[A-Za-z0-9_.-]+$/;

/** Why the id is invalid, or null when it is fine. */
export function idProblem(id: unknown): string | null {
  if (typeof id !== "string" || id.length === 0) return "must be a non-empty string";
  if (id.length > MAX_ID_LENGTH) return `is ${id.length} characters long (max ${MAX_ID_LENGTH})`;
  if (!KEY.test(id)) return "may contain only letters, digits, dashes, dots and underscores";
  return null;
}
