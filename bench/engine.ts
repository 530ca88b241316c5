// Benchmark: the devhost Durable engine in test mode (virtual clock, determinism check on).
// Prints readable lines, then one JSON object with the figures as the very last line.
import * as os from "node:os";
import * as path from "node:path";
import { createEngine, loadApp } from "../tools/devhost";

async function timed(label: string, run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  const result = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(3)} s   (output ${JSON.stringify(result)})`);
  return Math.round(seconds * 1000) / 1000;
}

async function main(): Promise<void> {
  const app = loadApp(path.join(__dirname, "engine-app.js"));
  const engine = createEngine({ registry: app.registry, mode: "test", appRoot: app.appRoot });
  const runOnce = async (name: string, input: number) => {
    const id = await engine.start(name, input);
    const status = await engine.waitForCompletion(id);
    if (status.runtimeStatus !== "Completed") throw new Error(`${name}(${input}) ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
    return status.output;
  };
  console.log(`devhost engine benchmark: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}`);
  await runOnce("BenchChain", 10); // warm-up: module loading and JIT
  const chain300 = await timed("chain of 300 no-op activities", () => runOnce("BenchChain", 300));
  const fanout1000 = await timed("fan-out of 1000 no-op activities", () => runOnce("BenchFanOut", 1000));
  const chain1000 = await timed("chain of 1000 no-op activities", () => runOnce("BenchChain", 1000));
  const targets = { chain300_s: 1, fanout1000_s: 0.5, chain1000_s: 10 };
  const figures = { chain300_s: chain300, fanout1000_s: fanout1000, chain1000_s: chain1000 };
  for (const [k, limit] of Object.entries(targets)) console.log(`${k.padEnd(14)} ${figures[k as keyof typeof figures]} s  target <= ${limit} s  ${figures[k as keyof typeof figures] <= limit ? "ok" : "OVER"}`);
  await engine.close();
  console.log(JSON.stringify(figures));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
