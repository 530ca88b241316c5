// Container, blob and prefix fields of operator configs, checked after rendering (they may come
// from templates) so that no name leaves its container: see functions/hooks/blob-names.ts.
import { blobNameProblem, blobPrefixProblem, containerNameProblem } from "../hooks/blob-names";
import { ConfigError, type ConfigReader } from "./config-reader";

function checked(where: string, key: string, value: string, problem: string | null): string {
  if (problem !== null) throw new ConfigError(`${where}: '${key}' ${JSON.stringify(value)} ${problem}.`);
  return value;
}

export function checkContainer(where: string, key: string, name: string): string {
  return checked(where, key, name, containerNameProblem(name));
}

export function checkBlobName(where: string, key: string, name: string): string {
  return checked(where, key, name, blobNameProblem(name));
}

export function checkBlobPrefix(where: string, key: string, prefix: string): string {
  return checked(where, key, prefix, blobPrefixProblem(prefix));
}

export function containerField(c: ConfigReader, key: string, where: string, fallback?: string): string {
  return checkContainer(where, key, fallback === undefined ? c.string(key) : c.string(key, fallback));
}

export function blobField(c: ConfigReader, key: string, where: string): string {
  return checkBlobName(where, key, c.string(key));
}

export function prefixField(c: ConfigReader, key: string, where: string): string {
  return checkBlobPrefix(where, key, c.string(key));
}
