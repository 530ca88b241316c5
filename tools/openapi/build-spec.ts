// Builds functions/http/api/openapi/v1.yaml, the OpenAPI document azflow serves: the operations
// the app registers (functions/http/api), each taken unchanged from Airflow 2.10.5's own v1 spec
// (airflow/api_connexion/openapi/v1.yaml in the apache-airflow wheel), with the components they
// reference. Run after adding or removing an API route:
//
//   npm run build && node dist/tools/openapi/build-spec.js path/to/airflow/v1.yaml
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { loadApp } from "../devhost";

type Node = Record<string, unknown>;
const METHODS = ["get", "post", "put", "patch", "delete"];
// Vendor keys naming Airflow's Python modules; they say nothing about the contract.
const DROPPED_KEYS = new Set(["x-openapi-router-controller"]);

function withoutDropped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDropped);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Node).filter(([k]) => !DROPPED_KEYS.has(k)).map(([k, v]) => [k, withoutDropped(v)]));
  }
  return value;
}

function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Node)) {
      if (k === "$ref" && typeof v === "string") out.add(v);
      else refsIn(v, out);
    }
  }
}

/** "dags/{dag_id}/tasks/{task_id}" or with "{map_index:int}" -> Airflow's "/dags/{dag_id}/tasks/{task_id}". */
export function airflowPath(template: string): string {
  return `/${template.replace(/\{(\w+):\w+\}/g, "{$1}")}`;
}

export function buildSpec(airflow: Node, operations: readonly { path: string; method: string }[]): Node {
  const wanted = new Map<string, Set<string>>();
  for (const op of operations) wanted.set(op.path, (wanted.get(op.path) ?? new Set()).add(op.method.toLowerCase()));
  const sourcePaths = airflow.paths as Record<string, Node>;
  const paths: Record<string, Node> = {};
  for (const [p, methods] of wanted) {
    const item = sourcePaths[p];
    if (!item) throw new Error(`Airflow's spec has no path ${p}`);
    const kept: Node = {};
    for (const [k, v] of Object.entries(item)) {
      if (!METHODS.includes(k)) kept[k] = v;
      else if (methods.has(k)) kept[k] = v;
    }
    for (const m of methods) if (!(m in item)) throw new Error(`Airflow's spec has no ${m.toUpperCase()} ${p}`);
    paths[p] = withoutDropped(kept) as Node;
  }
  // Components: everything the kept operations reference, transitively.
  const components = airflow.components as Record<string, Record<string, unknown>>;
  const used = new Set<string>();
  const queue = new Set<string>();
  refsIn(paths, queue);
  while (queue.size) {
    const ref = queue.values().next().value as string;
    queue.delete(ref);
    if (used.has(ref)) continue;
    used.add(ref);
    const [, , section, name] = ref.split("/");
    const target = components[section]?.[name];
    if (target === undefined) throw new Error(`Airflow's spec has no ${ref}`);
    const inner = new Set<string>();
    refsIn(target, inner);
    for (const r of inner) if (!used.has(r)) queue.add(r);
  }
  const outComponents: Record<string, Record<string, unknown>> = {};
  for (const ref of [...used].sort()) {
    const [, , section, name] = ref.split("/");
    (outComponents[section] ??= {})[name] = components[section][name];
  }
  const tags = new Set<string>();
  for (const item of Object.values(paths)) for (const m of METHODS) for (const t of ((item[m] as Node | undefined)?.tags as string[] | undefined) ?? []) tags.add(t);
  const info = airflow.info as Node;
  return {
    openapi: airflow.openapi,
    info: {
      title: "azflow: Airflow stable REST API (v1 subset)",
      description: "The operations of Apache Airflow's stable REST API (v1) that azflow serves, each as Airflow " +
        `${String(info.version)} defines it. Airflow's full reference: https://airflow.apache.org/docs/apache-airflow/${String(info.version)}/stable-rest-api-ref.html`,
      version: info.version,
      license: info.license,
    },
    servers: airflow.servers,
    tags: ((airflow.tags as Node[] | undefined) ?? []).filter((t) => tags.has(String(t.name))),
    paths,
    components: outComponents,
  };
}

function main(args: string[]): void {
  const source = args[0];
  if (!source) throw new Error("usage: build-spec <airflow v1.yaml>");
  const airflow = parse(fs.readFileSync(source, "utf8")) as Node;
  const app = loadApp();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registeredApiRoutes } = require("../../functions/http/api/api-route") as typeof import("../../functions/http/api/api-route");
  const operations = registeredApiRoutes()
    .filter((r) => r.template !== "openapi.yaml")
    .map((r) => ({ path: airflowPath(r.template), method: r.method }));
  const spec = buildSpec(airflow, operations);
  const target = path.join(app.appRoot, "functions", "http", "api", "openapi", "v1.yaml");
  const header = [
    "# Generated by tools/openapi/build-spec.ts from Apache Airflow 2.10.5's",
    "# airflow/api_connexion/openapi/v1.yaml (Apache License 2.0, (c) The Apache Software Foundation):",
    "# the operations azflow serves, unchanged. Do not edit by hand; regenerate.",
    "",
  ].join("\n");
  fs.writeFileSync(target, header + stringify(spec, { lineWidth: 0, aliasDuplicateObjects: false }));
  console.log(`${target}: ${operations.length} operations on ${Object.keys(spec.paths as Node).length} paths`);
}

if (require.main === module) main(process.argv.slice(2));
