// GET .../taskInstances/{task_id}/logs/{task_try_number}: one try's log from the task-log blob the
// activity wrote (functions/activities/task-log.ts), as JSON {content, continuation_token} in
// Airflow's shape or as text/plain. Read in bounded chunks: a continuation token carries the
// position, and end_of_log says whether the try is over.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { taskLogPath } from "../../activities/task-log-blob";
import { appConfig } from "../../config";
import { appBlobService } from "../../hooks/app-storage";
import { FINISHED_STATES, type TaskState } from "../../../orchestrations/runtime/rules/states";
import { apiRoute } from "./api-route";
import { findTaskInstance } from "./get-task-instance";
import { badRequest, notFound } from "./problem";
import { boolParam } from "./query";

/** At most this much of a log per response; the rest follows with the continuation token. */
const CHUNK_BYTES = 1024 * 1024;

interface LogToken {
  log_pos: number;
  end_of_log: boolean;
  download_logs?: boolean;
}

function encodeToken(token: LogToken): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
}

function decodeToken(text: string): LogToken {
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as LogToken;
    if (!Number.isInteger(token.log_pos) || token.log_pos < 0) throw new Error("bad position");
    return token;
  } catch {
    throw badRequest("Bad Signature. Please use only the tokens provided by the API.");
  }
}

/** Python's repr() of a str, as Airflow's JSON log content embeds the log text. */
function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

async function readChunk(path: string, from: number): Promise<{ text: string; next: number; size: number } | null> {
  const blob = appBlobService().getContainerClient(appConfig().logContainer).getBlobClient(path);
  try {
    const size = (await blob.getProperties()).contentLength ?? 0;
    if (from >= size) return { text: "", next: size, size };
    const length = Math.min(CHUNK_BYTES, size - from);
    const buffer = await blob.downloadToBuffer(from, length);
    // Stop at the last whole line (or UTF-8 character) so a chunk never splits one.
    let end = buffer.length;
    if (from + length < size) {
      const newline = buffer.lastIndexOf(0x0a);
      if (newline >= 0) end = newline + 1;
      else while (end > 0 && (buffer[end - 1] & 0xc0) === 0x80) end--;
    }
    return { text: buffer.subarray(0, end).toString("utf8"), next: from + end, size };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

export async function getTaskLog(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const tryNumber = Number(request.params.task_try_number);
  const mapIndexText = request.query.get("map_index");
  if (mapIndexText !== null && !/^-?\d+$/.test(mapIndexText)) throw badRequest("Wrong type, expected 'integer' for query parameter 'map_index'");
  const mapIndex = mapIndexText ? Number(mapIndexText) : -1;
  const token = request.query.get("token") ? decodeToken(request.query.get("token")!) : undefined;
  const fullContent = boolParam(request.query, "full_content") === true || token?.download_logs === true;
  const { ti } = await findTaskInstance(request, context, mapIndex);
  // Tries are numbered from 1 to the instance's current try; any other has no log to read.
  if (tryNumber < 1 || tryNumber > ti.try_number) {
    const where = `task '${ti.task_id}'${ti.map_index >= 0 ? ` (map index ${ti.map_index})` : ""} of run '${ti.dag_run_id}'`;
    throw notFound("Task instance try not found", ti.try_number < 1
      ? `Try ${tryNumber} of ${where} does not exist: the task has not run yet`
      : `Try ${tryNumber} of ${where} does not exist: its tries are 1 to ${ti.try_number}`);
  }
  const path = taskLogPath({ dagId: ti.dag_id, runId: ti.dag_run_id, taskId: ti.task_id, mapIndex: ti.map_index, tryNumber });
  // A try is over once a later one started or the instance finished.
  const tryOver = ti.try_number > tryNumber || (ti.state !== null && FINISHED_STATES.has(ti.state as TaskState));
  let text = "";
  let pos = token?.log_pos ?? 0;
  let atEnd = true;
  for (;;) {
    const chunk = await readChunk(path, pos);
    if (chunk === null) {
      if (pos === 0) text = `*** Log file does not exist: ${appConfig().logContainer}/${path}\n`;
      break;
    }
    text += chunk.text;
    pos = chunk.next;
    atEnd = pos >= chunk.size;
    // full_content reads the whole log, as Airflow's download does; otherwise one chunk per call.
    if (atEnd || !fullContent || chunk.text === "") break;
  }
  const endOfLog = atEnd && tryOver;
  const accept = request.headers.get("accept") ?? "";
  if (/text\/plain/.test(accept) && !/application\/json/.test(accept.split(",")[0] ?? "")) {
    return { status: 200, headers: { "content-type": "text/plain" }, body: text };
  }
  return {
    status: 200,
    jsonBody: {
      continuation_token: encodeToken({ log_pos: pos, end_of_log: endOfLog, ...(fullContent ? { download_logs: true } : {}) }),
      content: `[(${pythonRepr(ti.hostname ?? "")}, ${pythonRepr(text)})]`,
    },
  };
}

apiRoute("api_get_log", "GET", "dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{task_try_number:int}", getTaskLog, { durableClient: true });
