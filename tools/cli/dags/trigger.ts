// `azflow dags trigger <dag_id>`: creates a run through a running host's REST API
// (POST /api/v1/dags/{dag_id}/dagRuns), as `airflow dags trigger` goes through the API server.
import { CliError } from "../cli-error";
import { CONF } from "../common-options";
import { parseArgs, parseConfOption, usageError, withHelp, type CommandSpec } from "../parse-args";
import { dateOption } from "./dates";

const SPEC: CommandSpec = {
  command: "dags trigger",
  summary: "Create a run through a running host's REST API (POST /api/v1/dags/{dag_id}/dagRuns), as `airflow dags trigger` goes through the API server. Starts nothing locally.",
  positionals: [{ name: "dag_id", description: "the DAG to trigger" }],
  options: [
    CONF,
    { name: "--run-id", alias: "-r", value: "ID", description: "the run id (default: Airflow's manual__<logical date>)" },
    { name: "--logical-date", alias: "-e", value: "DATE", description: "the run's logical date, ISO 8601 (default now)" },
    { name: "--host", value: "URL", description: "the host serving the app (default http://127.0.0.1:7071, as `azflow host` and func start)" },
    { name: "--key", value: "KEY", description: "function key, sent as x-functions-key (needed in Azure)" },
  ],
};

interface Problem {
  title?: string;
  detail?: string;
  status?: number;
}

function describeFailure(err: unknown, url: string): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND" || cause?.code === "EHOSTUNREACH") {
    return `no host answers at ${url} (${cause.code}); start one with 'azflow host' or pass --host.`;
  }
  return `could not reach ${url}: ${cause?.message ?? (err as Error).message}`;
}

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, SPEC);
    const [dagId] = parsed.positionals;
    const body: Record<string, unknown> = { conf: parseConfOption(parsed.options.get(CONF.name), SPEC) };
    if (parsed.options.has("--run-id")) body.dag_run_id = parsed.options.get("--run-id");
    if (parsed.options.has("--logical-date")) body.logical_date = dateOption(parsed.options.get("--logical-date")!, "--logical-date", SPEC);
    const host = (parsed.options.get("--host") ?? "http://127.0.0.1:7071").replace(/\/+$/, "");
    if (!/^https?:\/\//.test(host)) throw usageError(SPEC, `--host must be an http(s) URL, got '${host}'`);
    const url = `${host}/api/v1/dags/${encodeURIComponent(dagId)}/dagRuns`;
    const headers: Record<string, string> = { "content-type": "application/json" };
    const key = parsed.options.get("--key");
    if (key) headers["x-functions-key"] = key;
    let response: Response;
    try {
      response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new CliError(describeFailure(err, url));
    }
    const text = await response.text();
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): shown as it is.
    }
    if (!response.ok) {
      const problem = (payload && typeof payload === "object" ? payload : {}) as Problem;
      throw new CliError(`${response.status} ${problem.title ?? response.statusText}: ${problem.detail ?? (typeof payload === "string" ? payload.slice(0, 300) : "")}`.trim());
    }
    const runObject = payload as Record<string, unknown>;
    console.log(`Created ${runObject.dag_id} run ${runObject.dag_run_id} (${runObject.state}), logical date ${runObject.logical_date}`);
    console.log(JSON.stringify(payload, null, 2));
    return 0;
  });
}
