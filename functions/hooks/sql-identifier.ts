// Identifiers cannot be bound as parameters, so names that come from DAG config are validated
// against a strict pattern and double-quoted before they reach SQL text.

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class IdentifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IdentifierError";
  }
}

/** `name` or `schema.name`, each part a plain identifier; returned quoted. */
export function quoteIdentifier(name: string, what = "identifier"): string {
  if (typeof name !== "string") throw new IdentifierError(`${what} must be a string.`);
  const parts = name.split(".");
  if (parts.length > 2 || parts.some((p) => !IDENT.test(p))) {
    throw new IdentifierError(
      `${what} '${name}' is not allowed: use letters, digits and underscores (optionally schema.name), at most 63 characters each.`,
    );
  }
  return parts.map((p) => `"${p}"`).join(".");
}
