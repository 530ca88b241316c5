import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { sendJson } from "../api/client";
import { dagPath } from "../api/queries";
import type { DagRun } from "../api/types";
import { InlineError } from "./ErrorPanel";
import { Modal } from "./Modal";

/** dag_run.conf must be a JSON object: anything else is refused here, before the API sees it. */
export function parseConf(text: string): { conf: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { conf: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `The configuration is not valid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { error: `The configuration must be a JSON object ({...}), not ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}.` };
  }
  return { conf: value as Record<string, unknown> };
}

/** Trigger DAG w/ config, as Airflow's trigger page: an optional run id and conf as JSON. */
export function TriggerDialog({ dagId, onClose }: { dagId: string; onClose: () => void }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [confText, setConfText] = useState("{}");
  const [runId, setRunId] = useState("");
  const parsed = parseConf(confText);
  const trigger = useMutation({
    mutationFn: (conf: Record<string, unknown>) =>
      sendJson<DagRun>("POST", `${dagPath(dagId)}/dagRuns`, { conf, ...(runId.trim() ? { dag_run_id: runId.trim() } : {}) }),
    onSuccess: (run) => {
      void client.invalidateQueries({ queryKey: ["grid", dagId] });
      void client.invalidateQueries({ queryKey: ["recentRuns", dagId] });
      onClose();
      navigate(`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(run.dag_run_id)}`);
    },
  });
  return (
    <Modal
      title={`Trigger ${dagId}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="button" className="primary" disabled={"error" in parsed || trigger.isPending} onClick={() => "conf" in parsed && trigger.mutate(parsed.conf)}>
            Trigger
          </button>
        </>
      }
    >
      <label className="field">
        <span>Run id (optional)</span>
        <input value={runId} onChange={(e) => setRunId(e.target.value)} placeholder="manual__<logical date>" />
      </label>
      <label className="field">
        <span>Configuration JSON (dag_run.conf)</span>
        <textarea aria-label="Configuration JSON" rows={8} spellCheck={false} value={confText} onChange={(e) => setConfText(e.target.value)} />
      </label>
      {"error" in parsed ? <p className="inline-error" role="alert">{parsed.error}</p> : null}
      <InlineError error={trigger.error} />
    </Modal>
  );
}
