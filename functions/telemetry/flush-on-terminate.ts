// The worker is about to stop (scale-in, a redeploy): send the telemetry still buffered. A hook of
// the app, so the entry registers it; test apps that skip it flush explicitly.
import { app } from "@azure/functions";
import { shutdownTelemetry } from "./sinks";

app.hook.appTerminate(() => shutdownTelemetry());
