import { Link, useLocation } from "react-router";

export function NotFoundView() {
  const location = useLocation();
  return (
    <div className="error-panel" role="alert">
      <h2>Page not found</h2>
      <p>There is no view at <code>{location.pathname}</code>.</p>
      <Link to="/dags">Back to the DAGs</Link>
    </div>
  );
}
