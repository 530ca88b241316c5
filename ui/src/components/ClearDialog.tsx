import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { sendJson } from "../api/client";
import { dagPath } from "../api/queries";
import type { ClearedInstances } from "../api/types";
import { InlineError } from "./ErrorPanel";
import { Modal } from "./Modal";

export interface ClearTarget {
  dagId: string;
  runId: string;
  /** A task and its options; absent: the run's failed tasks. */
  taskId?: string;
}

/**
 * Airflow's clear, confirmed: the API's dry run lists what would be cleared, and only then is the
 * clear sent. A task can take its downstream tasks along and be limited to failed instances.
 */
export function ClearDialog({ target, onClose, onCleared }: { target: ClearTarget; onClose: () => void; onCleared?: () => void }) {
  const client = useQueryClient();
  const [downstream, setDownstream] = useState(false);
  const [onlyFailed, setOnlyFailed] = useState(target.taskId === undefined);
  const body = {
    dag_run_id: target.runId,
    only_failed: onlyFailed,
    include_downstream: downstream,
    ...(target.taskId ? { task_ids: [target.taskId] } : {}),
  };
  const url = `${dagPath(target.dagId)}/clearTaskInstances`;
  const preview = useQuery({
    queryKey: ["clearPreview", url, body],
    queryFn: () => sendJson<ClearedInstances>("POST", url, { ...body, dry_run: true }),
    retry: false,
  });
  const clear = useMutation({
    mutationFn: () => sendJson<ClearedInstances>("POST", url, { ...body, dry_run: false }),
    onSuccess: () => {
      void client.invalidateQueries();
      onCleared?.();
      onClose();
    },
  });
  const affected = preview.data?.task_instances ?? [];
  return (
    <Modal
      title={target.taskId ? `Clear ${target.taskId}` : "Clear the run's failed tasks"}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="button" className="primary danger" disabled={!affected.length || clear.isPending} onClick={() => clear.mutate()}>
            Clear {affected.length ? `${affected.length} task instance${affected.length === 1 ? "" : "s"}` : ""}
          </button>
        </>
      }
    >
      <p className="muted">Run <code>{target.runId}</code></p>
      {target.taskId ? (
        <div className="options">
          <label><input type="checkbox" checked={downstream} onChange={(e) => setDownstream(e.target.checked)} /> Downstream</label>
          <label><input type="checkbox" checked={onlyFailed} onChange={(e) => setOnlyFailed(e.target.checked)} /> Only failed</label>
        </div>
      ) : null}
      {preview.isPending ? <p className="muted">Finding what would be cleared…</p> : null}
      <InlineError error={preview.error} />
      {preview.data ? (
        affected.length ? (
          <>
            <p>These task instances will be cleared and run again:</p>
            <ul className="clear-list">{affected.map((t, i) => <li key={`${t.task_id}#${i}`}><code>{t.task_id}</code></li>)}</ul>
          </>
        ) : <p>Nothing to clear{onlyFailed ? ": no failed task instance matches" : ""}.</p>
      ) : null}
      <InlineError error={clear.error} />
    </Modal>
  );
}
