// Checks of infra/ that run here, where no Bicep compiler can be installed: every .bicep parses
// with pycep-parser, checkov's Azure policies pass (each skip justified beside it), every setting
// the deployed code reads is set by the Bicep and listed in local.settings.example.json, every
// role the code needs is assigned, and main.parameters.json matches main.bicep's parameters.
import { before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { needTestVenv } from "../../tools/testing/test-venv";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const INFRA = path.join(ROOT, "infra");
const read = (rel: string): string => fs.readFileSync(path.join(ROOT, rel), "utf8");

/** Set by the Functions platform in Azure, not by our templates. */
const PLATFORM_SETTINGS: Record<string, string> = {
  PATH: "the process search path",
  IDENTITY_ENDPOINT: "set by App Service when the app has a managed identity",
};
/** Read only where Application Insights is off (locally): the Bicep sets APPLICATIONINSIGHTS_CONNECTION_STRING instead. */
const LOCAL_ONLY_SETTINGS: Record<string, string> = {
  AZFLOW_LOCAL_DIR: "where local telemetry files go; unused in Azure, where telemetry goes to Application Insights",
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith(".ts")) out.push(full);
  }
  return out;
}

/** Every setting the deployed code (functions/, orchestrations/) reads, by name. */
function settingsTheCodeReads(): Set<string> {
  const names = new Set<string>();
  const settingLiteral = /["'`](AZFLOW_[A-Z0-9_]+|APPLICATIONINSIGHTS_[A-Z_]+|AZURE_[A-Z_]+|AzureWebJobsStorage|IDENTITY_ENDPOINT|WEBSITE_[A-Z_]+|AIRFLOW_CONN_[A-Z0-9_]+)["'`]/g;
  const envAccess = /process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\])/g;
  // A default connection id (`conn_id` defaults such as "postgres_default") is read as AIRFLOW_CONN_<ID>.
  const defaultConnection = /["']([a-z][a-z0-9_]*_default)["']/g;
  for (const file of [...sourceFiles(path.join(ROOT, "functions")), ...sourceFiles(path.join(ROOT, "orchestrations"))]) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(settingLiteral)) names.add(m[1]);
    for (const m of text.matchAll(envAccess)) names.add(m[1] ?? m[2]);
    for (const m of text.matchAll(defaultConnection)) names.add(`AIRFLOW_CONN_${m[1].toUpperCase()}`);
  }
  return names;
}

/** App settings the Bicep gives the function app, with values where they are literal. */
function bicepSettings(): Map<string, string | null> {
  const text = read("infra/app/function-app.bicep");
  const settings = new Map<string, string | null>();
  for (const m of text.matchAll(/\{\s*name:\s*'([A-Za-z0-9_]+)',\s*value:\s*(?:'([^'$]*)'\s*|[^}]+)\}/g)) settings.set(m[1], m[2] ?? null);
  // Key Vault references: AIRFLOW_CONN_<ID> for each id of main.bicep's keyVaultConnectionIds default.
  assert.match(text, /name: 'AIRFLOW_CONN_\$\{toUpper\(connId\)\}'/);
  const ids = /param keyVaultConnectionIds array = \[([^\]]*)\]/.exec(read("infra/main.bicep"));
  assert.ok(ids, "main.bicep declares keyVaultConnectionIds with a default");
  for (const m of ids[1].matchAll(/'([a-z0-9_]+)'/g)) settings.set(`AIRFLOW_CONN_${m[1].toUpperCase()}`, null);
  return settings;
}

function isSetByBicep(name: string, settings: Map<string, string | null>): boolean {
  // Identity-based connections are a family of NAME__* settings.
  return settings.has(name) || [...settings.keys()].some((k) => k.startsWith(`${name}__`));
}

interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { failed_checks?: { check_id: string; file_path: string; resource: string }[]; skipped_checks?: { check_id: string; file_path: string; suppress_comment?: string }[] };
}

describe("infra/ (Bicep checked with pycep-parser and checkov; not deployed from here)", () => {
  let python: string | undefined;
  let skipReason = "";

  before(async () => {
    // Resolved once; each test skips (locally) or fails (CI) on its own when it is missing.
    const probe = { skip: (reason?: string) => (skipReason = reason ?? "") } as unknown as TestContext;
    python = (await needTestVenv(probe))?.python;
  });

  const needPython = (t: TestContext): string | undefined => {
    if (!python) t.skip(skipReason);
    return python;
  };

  it("every .bicep file parses with pycep-parser, and main.parameters.json matches main.bicep", (t) => {
    const py = needPython(t);
    if (!py) return;
    const run = spawnSync(py, [path.join(ROOT, "test", "infra", "bicep_facts.py"), INFRA], { encoding: "utf8", timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const facts = JSON.parse(run.stdout) as { files: Record<string, string>; mainParameters: Record<string, { hasDefault: boolean }> };
    assert.ok(Object.keys(facts.files).length >= 10, `found ${Object.keys(facts.files).join(", ")}`);
    for (const [file, result] of Object.entries(facts.files)) assert.equal(result, "ok", `${file}: ${result}`);

    const declared = facts.mainParameters;
    const given = Object.keys((JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, unknown> }).parameters);
    for (const name of given) assert.ok(name in declared, `main.parameters.json gives '${name}', which main.bicep does not declare`);
    for (const [name, p] of Object.entries(declared)) {
      if (!p.hasDefault) assert.ok(given.includes(name), `main.bicep's required parameter '${name}' is not in main.parameters.json`);
    }
  });

  it("checkov's Azure policies pass, and every skipped policy says why beside it", (t) => {
    const py = needPython(t);
    if (!py) return;
    const checkov = path.join(path.dirname(py), "checkov");
    // --skip-download: no calls to the vendor's service; the policies ship in the package.
    const run = spawnSync(checkov, ["-d", INFRA, "--framework", "bicep", "--compact", "--quiet", "--skip-download", "-o", "json"], {
      encoding: "utf8", timeout: 300_000, env: { ...process.env, BC_SKIP_MAPPING: "TRUE" },
    });
    const parsed = JSON.parse(run.stdout) as CheckovReport | CheckovReport[];
    const report = Array.isArray(parsed) ? parsed[0] : parsed;
    const failed = (report.results.failed_checks ?? []).map((c) => `${c.check_id} ${c.file_path} ${c.resource}`);
    assert.deepEqual(failed, [], "checkov failures");
    assert.equal(report.summary.parsing_errors, 0);
    assert.ok(report.summary.passed >= 20, `checks passed: ${report.summary.passed}`);
    for (const skip of report.results.skipped_checks ?? []) {
      assert.ok((skip.suppress_comment ?? "").trim().length >= 30, `${skip.check_id} in ${skip.file_path} is skipped without a reason`);
    }
    console.log(`checkov: ${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped`);
  });

  it("every setting the code reads is set by the Bicep (or by the platform) and listed in local.settings.example.json", () => {
    const code = settingsTheCodeReads();
    const bicep = bicepSettings();
    const example = Object.keys((JSON.parse(read("local.settings.example.json")) as { Values: Record<string, string> }).Values);
    assert.ok(code.has("AZFLOW_TASK_HUB") && code.has("AIRFLOW_CONN_POSTGRES_DEFAULT") && code.has("AZURE_CLIENT_ID"), [...code].join(", "));
    for (const name of code) {
      if (name in PLATFORM_SETTINGS) continue;
      if (!(name in LOCAL_ONLY_SETTINGS)) assert.ok(isSetByBicep(name, bicep), `${name} is read by the code but not set by infra/app/function-app.bicep`);
      assert.ok(example.includes(name), `${name} is read by the code but not listed in local.settings.example.json`);
    }
    // The blob triggers' connection names a family of identity-based settings the Bicep must set too.
    const triggerConnection = bicep.get("AZFLOW_BLOB_TRIGGER_CONNECTION");
    assert.ok(triggerConnection && bicep.has(`${triggerConnection}__blobServiceUri`), "the blob trigger connection's service URI is set");
    assert.equal(bicep.get("AZFLOW_BLOB_TRIGGER_SOURCE"), "EventGrid", "Flex Consumption runs blob triggers from Event Grid only");
  });

  it("the Flex Consumption app follows the platform's rules", () => {
    const bicep = bicepSettings();
    for (const forbidden of ["FUNCTIONS_WORKER_RUNTIME", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_TIME_ZONE", "AzureWebJobsStorage", "FUNCTIONS_EXTENSION_VERSION"]) {
      assert.ok(!bicep.has(forbidden), `${forbidden} must not be set on Flex Consumption (or with identity-based storage)`);
    }
    const app = read("infra/app/function-app.bicep");
    assert.match(app, /runtime: \{ name: 'node', version: '22' \}/);
    assert.match(app, /alwaysReady: \[ \{ name: 'durable', instanceCount: 1 \} \]/);
    assert.match(app, /type: 'UserAssigned'/);
    assert.match(read("infra/core/host/flex-consumption-plan.bicep"), /name: 'FC1', tier: 'FlexConsumption'/);
    assert.equal(bicep.get("AzureWebJobsStorage__credential"), "managedidentity");
    for (const [name, value] of bicep) {
      if (value !== null) assert.doesNotMatch(value, /AccountKey=|SharedAccessSignature=|sig=/i, `${name} holds a key`);
    }
    const host = JSON.parse(read("host.json")) as { extensionBundle: { version: string } };
    assert.equal(host.extensionBundle.version, "[4.*, 5.0.0)");
  });

  it("every role the code needs is assigned to the app's identity", () => {
    const rbac = read("infra/app/rbac.bicep");
    const code = [...sourceFiles(path.join(ROOT, "functions"))].map((f) => fs.readFileSync(f, "utf8")).join("\n");
    const roleIsAssigned = (role: string, guid: string): void => {
      assert.match(rbac, new RegExp(`${role}: '${guid}'`), `rbac.bicep defines ${role}`);
      assert.ok(rbac.split(`roles.${role}`).length > 1, `rbac.bicep assigns ${role}`);
    };
    const needs: [boolean, string, string][] = [
      [code.includes("@azure/storage-blob"), "storageBlobDataOwner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"],
      [code.includes("@azure/storage-blob"), "storageBlobDataContributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"],
      [code.includes("@azure/data-tables"), "storageTableDataContributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"],
      // Durable Functions on Azure Storage keeps its work items in queues.
      [code.includes("durable-functions"), "storageQueueDataContributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88"],
      [code.includes(".producer("), "eventHubsDataSender", "2b629674-e913-4c01-ae53-ef4638d8f975"],
      [code.includes("kafkajs"), "eventHubsDataReceiver", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde"],
      [code.includes("@azure/monitor-opentelemetry-exporter"), "monitoringMetricsPublisher", "3913510d-42f4-4e42-8a64-420c390055eb"],
      [read("infra/app/function-app.bicep").includes("@Microsoft.KeyVault("), "keyVaultSecretsUser", "4633458b-17de-408a-b874-0445c86b69e6"],
      [read("infra/app/function-app.bicep").includes("DURABLE_TASK_SCHEDULER_CONNECTION_STRING"), "durableTaskDataContributor", "0ad04412-c4d5-4796-b79c-f76d14c8d402"],
    ];
    for (const [needed, role, guid] of needs) {
      assert.ok(needed, `the code no longer needs ${role}: update this test and rbac.bicep`);
      roleIsAssigned(role, guid);
    }
    assert.match(rbac, /resource onScheduler [^=]+= if \(!empty\(durableTaskSchedulerName\)\)/, "the scheduler role comes with that backend");
    // Data-plane roles that ARM cannot assign: Synapse by deployment script, Postgres by the post-deploy hook.
    assert.match(read("infra/app/synapse-compute-operator.sh"), /--role "Synapse Compute Operator"[\s\S]*--scope "\$scope"/);
    assert.match(read("infra/app/synapse-compute-operator.sh"), /bigDataPools/);
    assert.match(read("infra/hooks/postgres-principal.sql"), /pgaadauth_create_principal\(:'identity'/);
    assert.match(read("infra/hooks/postdeploy.sh"), /postgres-grants\.sql/);
  });
});
