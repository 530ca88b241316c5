// Headless Chromium from Debian's package (/usr/bin/chromium), driven by playwright-core, for the
// web UI's tests and benchmark. Launched with the flags a closed network needs (no background
// requests, no component or sync updates, no QUIC) and a fresh profile each time. A machine
// without Chromium skips these tests locally with that reason; in CI it is a failure (.ci/run
// installs the package).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestContext } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumPath(): string {
  return process.env.AZFLOW_CHROMIUM ?? "/usr/bin/chromium";
}

function isCi(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? "");
}

/** Why the browser cannot run here, or null when it can. */
export function chromiumMissing(): string | null {
  const exe = chromiumPath();
  return fs.existsSync(exe) ? null : `Chromium is not installed at ${exe} (apt-get install -y chromium; .ci/run does this in CI)`;
}

/** In a test: skip (locally) or throw (CI) when Chromium is missing; true when it may run. */
export function needChromium(t: TestContext): boolean {
  const missing = chromiumMissing();
  if (!missing) return true;
  if (isCi()) throw new Error(`${missing}; CI=true makes this a failure`);
  t.skip(missing);
  return false;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh --user-data-dir, removed on close. */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where the UI tests keep their screenshots: .local/test-output/ui under the project. */
export function screenshotDir(projectRoot: string): string {
  const dir = path.join(projectRoot, ".local", "test-output", "ui");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
