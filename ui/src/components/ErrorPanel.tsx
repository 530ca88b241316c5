import { Link } from "react-router";
import { ApiError } from "../api/client";

/** What went wrong, from the API's problem body, with a way back: never a blank page. */
export function ErrorPanel({ error, back }: { error: unknown; back?: { to: string; label: string } }) {
  const api = error instanceof ApiError ? error : null;
  const title = api ? api.title : "Something went wrong";
  const detail = api ? api.message : error instanceof Error ? error.message : String(error);
  return (
    <div className="error-panel" role="alert">
      <h2>{title}</h2>
      <p>{detail}</p>
      {api ? <p className="muted">HTTP {api.status}</p> : null}
      {back ? <Link to={back.to}>{back.label}</Link> : <Link to="/dags">Back to the DAGs</Link>}
    </div>
  );
}

/** A one-line message under an action that did not go through. */
export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiError ? `${error.title}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return <p className="inline-error" role="alert">{text}</p>;
}
