// The masker knows every secret the settings hold before any task code runs, and task output is
// redacted the way Airflow redacts rendered values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clearSecrets, maskSecrets, redact, registerSecret } from "../../../functions/hooks/secret-mask";
import { forgetRegisteredSettings, registerSettingsSecrets } from "../../../functions/hooks/settings-secrets";

const STORAGE_KEY = "bG9jYWwtc3RvcmFnZS1rZXktZm9yLXRlc3Rz/Zz+9w==";

test("every connection, sensitive Variable and storage key in the settings is registered, resolved or not", () => {
  clearSecrets();
  forgetRegisteredSettings();
  registerSettingsSecrets({
    AIRFLOW_CONN_WAREHOUSE: "postgres://loader:Wh+Pass%2Fword@db:5432/dwh",
    AIRFLOW_CONN_LAKE: JSON.stringify({ conn_type: "wasb", extra: { connection_string: `DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=${STORAGE_KEY};EndpointSuffix=core.windows.net` } }),
    AIRFLOW_CONN_API: JSON.stringify({ conn_type: "http", host: "https://api.example.com", extra: { api_key: "key-0987654321" } }),
    // Unreadable (a bad escape): masked whole until a task resolves it and fails.
    AIRFLOW_CONN_BROKEN: "postgres://u:Br0ken%ZZpw@db/x",
    AIRFLOW_VAR_SLACK_TOKEN: "xoxb-variable-token",
    AIRFLOW_VAR_REGION: "westeurope",
    AzureWebJobsStorage: "DefaultEndpointsProtocol=http;AccountName=app;AccountKey=YXBwLXN0b3JhZ2Uta2V5;BlobEndpoint=http://127.0.0.1:1/app;",
  });
  const line = [
    "Wh+Pass/word", "Wh%2BPass%2Fword", "postgres://loader:Wh+Pass%2Fword@db:5432/dwh", STORAGE_KEY, "key-0987654321",
    "postgres://u:Br0ken%ZZpw@db/x", "xoxb-variable-token", "YXBwLXN0b3JhZ2Uta2V5",
  ].join(" | ");
  assert.equal(maskSecrets(line), "*** | *** | *** | *** | *** | *** | *** | ***");
  assert.equal(maskSecrets("region westeurope, host db"), "region westeurope, host db", "only secrets are masked");
  clearSecrets();
});

test("the product's own name is never masked, as Airflow never masks 'airflow'", () => {
  clearSecrets();
  forgetRegisteredSettings();
  registerSettingsSecrets({ AIRFLOW_CONN_POSTGRES_DEFAULT: "postgres://azflow:azflow@127.0.0.1:5432/azflow", AIRFLOW_CONN_OTHER: "postgres://u:Airflow@h/db" });
  assert.equal(maskSecrets("container azflow-state of task hub azflow; Airflow 2.10"), "container azflow-state of task hub azflow; Airflow 2.10");
  // The setting's URI form is still a secret of its own.
  assert.equal(maskSecrets("dsn postgres://azflow:azflow@127.0.0.1:5432/azflow"), "dsn ***");
  clearSecrets();
});

test("a changed setting is read again; an unchanged one costs nothing", () => {
  clearSecrets();
  forgetRegisteredSettings();
  const env: NodeJS.ProcessEnv = { AIRFLOW_CONN_PG: "postgres://u:first-secret@db/x" };
  registerSettingsSecrets(env);
  env.AIRFLOW_CONN_PG = "postgres://u:second-secret@db/x";
  registerSettingsSecrets(env);
  assert.equal(maskSecrets("first-secret second-secret"), "*** ***");
  clearSecrets();
  registerSettingsSecrets(env);
  assert.equal(maskSecrets("second-secret"), "second-secret", "a value already read is not parsed again");
  clearSecrets();
});

test("task output is redacted as Airflow's redact(): registered secrets in strings, sensitive keys whole", () => {
  clearSecrets();
  registerSecret("hunter2-long");
  const out = redact({
    message: "logged in with hunter2-long",
    rows: 42,
    nested: [{ password: "plain-in-output", count: 3 }, "hunter2-long"],
    api_token: { value: "abc", ttl: 60 },
    when: null,
  });
  assert.deepEqual(out, {
    message: "logged in with ***",
    rows: 42,
    nested: [{ password: "***", count: 3 }, "***"],
    api_token: { value: "***", ttl: 60 },
    when: null,
  });
  assert.equal(redact("hunter2-long"), "***");
  assert.equal(redact(7), 7);
  clearSecrets();
});
