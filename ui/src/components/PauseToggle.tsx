import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { sendJson } from "../api/client";
import { dagPath } from "../api/queries";
import type { Dag } from "../api/types";
import { InlineError } from "./ErrorPanel";
import { Modal } from "./Modal";

/** Airflow's pause switch: on means the DAG is active (its schedule creates runs). Asks first. */
export function PauseToggle({ dag }: { dag: Dag }) {
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const change = useMutation({
    mutationFn: (isPaused: boolean) => sendJson<Dag>("PATCH", `${dagPath(dag.dag_id)}?update_mask=is_paused`, { is_paused: isPaused }),
    onSuccess: () => {
      setAsking(false);
      void client.invalidateQueries({ queryKey: ["dags"] });
      void client.invalidateQueries({ queryKey: ["dag", dag.dag_id] });
    },
  });
  const next = !dag.is_paused;
  return (
    <>
      <button
        type="button"
        role="switch"
        aria-checked={!dag.is_paused}
        aria-label={dag.is_paused ? `Unpause ${dag.dag_id}` : `Pause ${dag.dag_id}`}
        title={dag.is_paused ? "Paused: click to unpause" : "Active: click to pause"}
        className={`switch ${dag.is_paused ? "off" : "on"}`}
        onClick={() => setAsking(true)}
      >
        <span className="knob" />
      </button>
      {asking ? (
        <Modal
          title={next ? `Pause ${dag.dag_id}?` : `Unpause ${dag.dag_id}?`}
          onClose={() => setAsking(false)}
          footer={
            <>
              <button type="button" onClick={() => setAsking(false)}>Cancel</button>
              <button type="button" className="primary" disabled={change.isPending} onClick={() => change.mutate(next)}>
                {next ? "Pause" : "Unpause"}
              </button>
            </>
          }
        >
          <p>{next ? "Its schedule will create no runs until it is unpaused. Runs already going carry on." : "Its schedule will create runs again from the next due interval."}</p>
          <InlineError error={change.error} />
        </Modal>
      ) : null}
    </>
  );
}
