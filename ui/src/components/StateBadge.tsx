import { stateColor } from "../format";

/** A state as Airflow shows it: a coloured square and the state's name. */
export function StateBadge({ state }: { state: string | null | undefined }) {
  return (
    <span className="state-badge" data-state={state ?? "none"}>
      <span className="state-swatch" style={{ background: stateColor(state) }} />
      {state ?? "no status"}
    </span>
  );
}
