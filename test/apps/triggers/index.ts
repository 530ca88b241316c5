// Trigger samples for the devhost tests: an HTTP starter and client operations through
// df.getClient, a timer trigger, a blob trigger; plus the durable samples they start.
// (Loading this entry and durable-samples' in one process would register those modules once.)
import { app, type HttpRequest, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import "../durable-samples/activities";
import "../durable-samples/orchestrations";
import { blobFirings, timerFirings } from "./state";

app.http("StartOrchestration", {
  route: "orchestrators/{name}/{instanceId?}",
  methods: ["POST"],
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const client = df.getClient(context);
    const text = await request.text();
    const instanceId = await client.startNew(request.params.name, { input: text ? JSON.parse(text) : undefined, instanceId: request.params.instanceId });
    return client.createCheckStatusResponse(request, instanceId);
  },
});

/** Client operations as JSON: status, raise, terminate, purge, list, wait. */
app.http("ClientOps", {
  route: "client/{op}/{id?}/{arg?}",
  methods: ["GET", "POST", "DELETE"],
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const client = df.getClient(context);
    const { op, id, arg } = request.params;
    switch (op) {
      case "status": {
        const s = await client.getStatus(id, { showHistory: true, showHistoryOutput: true });
        return { jsonBody: s };
      }
      case "raise":
        await client.raiseEvent(id, arg, await request.json());
        return { status: 202 };
      case "terminate":
        await client.terminate(id, arg ?? "stopped by test");
        return { status: 202 };
      case "purge":
        return { jsonBody: await client.purgeInstanceHistory(id) };
      case "list": {
        const status = request.query.get("runtimeStatus");
        const list = await client.getStatusBy({ runtimeStatus: status ? (status.split(",") as df.OrchestrationRuntimeStatus[]) : undefined });
        return { jsonBody: list.map((s) => ({ instanceId: s.instanceId, name: s.name, runtimeStatus: s.runtimeStatus })) };
      }
      case "wait":
        return client.waitForCompletionOrCreateCheckStatusResponse(request, id, { timeoutInMilliseconds: 5000, retryIntervalInMilliseconds: 50 });
      default:
        return { status: 404, jsonBody: { error: `unknown op ${op}` } };
    }
  },
});

app.http("Hello", {
  route: "hello/{who:alpha}",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: async (request: HttpRequest) => ({ jsonBody: { hello: request.params.who, q: request.query.get("q") } }),
});

app.timer("EverySecond", {
  schedule: "*/1 * * * * *",
  handler: async (timer: Timer, context: InvocationContext) => {
    timerFirings.push({ at: Date.now(), isPastDue: timer.isPastDue, next: timer.scheduleStatus?.next ?? "", invocationId: context.invocationId });
  },
});

app.storageBlob("InboxBlob", {
  path: "inbox/{name}",
  connection: "AzflowTestStorage",
  handler: async (blob: unknown, context: InvocationContext) => {
    blobFirings.push({ name: String(context.triggerMetadata?.name), blobTrigger: String(context.triggerMetadata?.blobTrigger), content: (blob as Buffer).toString("utf8") });
  },
});
