// The web UI's entry: React Query for the API's data (polling while runs go), React Router for
// Airflow's views under /api/ui/.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router";
import { requestStats } from "./api/client";
import { Layout } from "./components/Layout";
import { DagsView } from "./views/DagsView";
import { DagView } from "./views/DagView";
import { GridView } from "./views/GridView";
import { NotFoundView } from "./views/NotFoundView";
import { RunView } from "./views/RunView";
import { TaskInstanceView } from "./views/TaskInstanceView";
import "./styles.css";

// The graph (React Flow and ELK, most of the bundle) loads only when its tab is opened.
const GraphView = lazy(() => import("./views/GraphView").then((m) => ({ default: m.GraphView })));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx is an answer (an unknown DAG, a missing try): shown at once, not retried.
      retry: (count, error) => count < 2 && !((error as { status?: number }).status! >= 400 && (error as { status?: number }).status! < 500),
      refetchOnWindowFocus: true,
    },
  },
});

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/dags" replace /> },
      { path: "dags", element: <DagsView /> },
      {
        path: "dags/:dagId",
        element: <DagView />,
        children: [
          { index: true, element: <Navigate to="grid" replace /> },
          { path: "grid", element: <GridView /> },
          { path: "graph", element: <Suspense fallback={<p className="muted">Loading the graph…</p>}><GraphView /></Suspense> },
          { path: "runs/:runId", element: <RunView /> },
          { path: "runs/:runId/tasks/:taskId", element: <TaskInstanceView /> },
          { path: "*", element: <NotFoundView /> },
        ],
      },
      { path: "*", element: <NotFoundView /> },
    ],
  },
], { basename: import.meta.env.BASE_URL.replace(/\/$/, "") });

// For the browser tests and the benchmark: how many API calls were made and how many were 304s.
(window as unknown as { __azflow: unknown }).__azflow = { requestStats };

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
