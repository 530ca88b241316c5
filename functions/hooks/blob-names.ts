// Container and blob names as Blob Storage takes them, checked before any request: a name comes
// from config or a template (a run's conf, an upstream's XCom), and the storage client puts it in
// the URL path as it is, so `../other-container/x` would address another container. Rules from
// "Naming and referencing containers, blobs, and metadata": containers 3-63 lowercase letters,
// digits and single dashes; blob names 1-1,024 characters in at most 254 segments, no segment
// ending in a dot (so no `.` or `..`), no name ending in `/`. Beyond those, a leading `/`, an empty
// segment, a backslash (the service reads it as `/`) and control characters are refused too.

const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 1024;
const MAX_SEGMENTS = 254;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `name` is not a container name, or null. */
export function containerNameProblem(name: string): string | null {
  return CONTAINER.test(name) ? null : "is not a valid container name (3-63 lowercase letters, digits and single dashes)";
}

function pathProblem(value: string, prefix: boolean): string | null {
  if (value.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (value.startsWith("/")) return "starts with '/'";
  if (value.includes("\\")) return "holds a '\\' (Blob Storage reads it as '/')";
  if (CONTROL.test(value)) return "holds a control character";
  const segments = value.split("/");
  if (segments.length > MAX_SEGMENTS) return `has more than ${MAX_SEGMENTS} path segments`;
  // A prefix may end in '/' (its last segment is then empty) or part-way through a segment.
  const whole = prefix ? segments.slice(0, -1) : segments;
  for (const segment of whole) {
    if (segment === "" && !(prefix && segments.length === 1)) return "has an empty path segment ('//')";
    if (segment === "." || segment === "..") return `has a '${segment}' path segment`;
    if (segment.endsWith(".")) return `has a path segment ending in '.' ('${segment}')`;
  }
  if (prefix) {
    const last = segments[segments.length - 1];
    if (last === "." || last === "..") return `has a '${last}' path segment`;
  }
  return null;
}

/** Why `name` is not a blob name, or null. */
export function blobNameProblem(name: string): string | null {
  if (name.length === 0) return "is empty";
  if (name.endsWith("/")) return "ends with '/'";
  return pathProblem(name, false);
}

/** Why `prefix` is not a blob name prefix (which may be empty or end in '/'), or null. */
export function blobPrefixProblem(prefix: string): string | null {
  return prefix === "" ? null : pathProblem(prefix, true);
}
