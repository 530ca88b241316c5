// A real single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM), run
// from the org.apache.kafka jars Maven fetches into the cache.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { CliError } from "../cli/cli-error";
import { spawnDetached } from "./detached";
import { ensureMavenJars } from "./maven-jars";
import { requireJava } from "./prerequisites";
import { lastLine, runLogged } from "./run-logged";
import type { LocalService } from "./service";
import type { ServiceSettings } from "./settings";

const HEALTH_TOPIC = "azflow-health";

export function kafkaBrokers(s: ServiceSettings): string[] {
  return [`${s.host}:${s.kafka.port}`];
}

function brokerPom(s: ServiceSettings): string {
  return path.join(s.projectRoot, "tools", "services", "maven", "kafka-broker.pom.xml");
}

const paths = (s: ServiceSettings) => ({
  config: path.join(s.kafka.dir, "server.properties"),
  log4j: path.join(s.kafka.dir, "log4j.properties"),
  data: path.join(s.kafka.dir, "data"),
});

function serverProperties(s: ServiceSettings): string {
  const k = s.kafka;
  return [
    "# Written by azflow services up; edits are overwritten.",
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${s.host}:${k.controllerPort}`,
    `listeners=PLAINTEXT://${s.host}:${k.port},CONTROLLER://${s.host}:${k.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${s.host}:${k.port}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    "controller.listener.names=CONTROLLER",
    `log.dirs=${paths(s).data}`,
    `num.partitions=${k.numPartitions}`,
    "auto.create.topics.enable=true",
    // One node: internal topics cannot have more than one replica.
    "offsets.topic.replication.factor=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "default.replication.factor=1",
    "min.insync.replicas=1",
    // Fewer internal partitions and threads: faster first consumer group, smaller footprint.
    "offsets.topic.num.partitions=4",
    "transaction.state.log.num.partitions=4",
    "num.network.threads=2",
    "num.io.threads=2",
    "background.threads=2",
    "num.recovery.threads.per.data.dir=1",
    // Consumers in tests join at once; the default 3 s delay only slows them down here.
    "group.initial.rebalance.delay.ms=0",
    "log.retention.hours=24",
    "log.segment.bytes=67108864",
    "",
  ].join("\n");
}

function log4jProperties(s: ServiceSettings): string {
  const file = path.join(s.logDir, "kafka-server.log").replace(/\\/g, "/");
  return [
    "log4j.rootLogger=INFO, file",
    "log4j.appender.file=org.apache.log4j.RollingFileAppender",
    `log4j.appender.file.File=${file}`,
    "log4j.appender.file.MaxFileSize=10MB",
    "log4j.appender.file.MaxBackupIndex=2",
    "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
    "log4j.logger.kafka=INFO",
    "log4j.logger.org.apache.kafka=INFO",
    "log4j.logger.state.change.logger=WARN",
    "log4j.logger.kafka.request.logger=WARN",
    "",
  ].join("\n");
}

function megabytes(size: string): number {
  const n = Number(size.slice(0, -1));
  const unit = size.slice(-1).toLowerCase();
  return unit === "g" ? n * 1024 : unit === "k" ? Math.max(1, Math.floor(n / 1024)) : n;
}

/** JVM options that keep the broker's resident memory modest on a shared machine. */
function jvmOptions(s: ServiceSettings): string[] {
  return [
    `-Xmx${s.kafka.heap}`,
    // Start small and grow to the bound: an idle broker then stays well under its maximum.
    `-Xms${Math.min(128, megabytes(s.kafka.heap))}m`,
    "-XX:+UseSerialGC",
    "-XX:MaxMetaspaceSize=128m",
    "-XX:ReservedCodeCacheSize=64m",
    "-XX:MaxDirectMemorySize=128m",
    "-Xss512k",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${paths(s).log4j}`,
    `-Dkafka.logs.dir=${s.logDir}`,
  ];
}

/** Kafka cluster ids are 16 random bytes in unpadded base64url; a leading '-' would read as an option. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function classpath(s: ServiceSettings): string {
  return path.join(s.kafka.jarsDir, "*");
}

async function formatStorage(s: ServiceSettings): Promise<void> {
  const { config, data } = paths(s);
  if (fs.existsSync(path.join(data, "meta.properties"))) return;
  fs.rmSync(data, { recursive: true, force: true });
  const logFile = path.join(s.logDir, "kafka-format.log");
  const run = await runLogged(
    "java",
    ["-Xmx256m", "-XX:+UseSerialGC", `-Dlog4j.configuration=file:${paths(s).log4j}`, "-cp", classpath(s), "kafka.tools.StorageTool", "format", "-t", newClusterId(), "-c", config],
    logFile,
    { timeoutMs: 120_000 },
  );
  if (run.code !== 0) throw new CliError(`formatting Kafka storage failed (${lastLine(run.tail)}); see ${logFile}`);
}

/** kafkajs loads here, when a broker is probed, not with every command that reads the settings. */
async function client(s: ServiceSettings, clientId: string): Promise<Kafka> {
  const { Kafka, logLevel } = await import("kafkajs");
  return new Kafka({
    clientId,
    brokers: kafkaBrokers(s),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
}

async function produceAndConsume(s: ServiceSettings): Promise<string> {
  const kafka = await client(s, "azflow-status");
  const { Partitioners } = await import("kafkajs");
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: HEALTH_TOPIC, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const value = `probe ${Date.now()} ${randomBytes(4).toString("hex")}`;
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let offset = "";
  try {
    const [meta] = await producer.send({ topic: HEALTH_TOPIC, acks: -1, messages: [{ value }] });
    offset = meta?.baseOffset ?? "";
  } finally {
    await producer.disconnect();
  }
  // A consumer group resumes from its committed offset, so it reads just the new message.
  const consumer = kafka.consumer({ groupId: "azflow-status", sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: HEALTH_TOPIC, fromBeginning: true });
    const received = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString("utf8") === value) resolve();
        },
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the produced message was not consumed within 20 s")), 20_000);
    });
    await Promise.race([received, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return `produced offset ${offset} and consumed it in group azflow-status`;
}

export const kafka: LocalService = {
  name: "kafka",
  endpoint: (s) => kafkaBrokers(s).join(","),
  ports: (s) => [
    { port: s.kafka.port, setting: "AZFLOW_KAFKA_PORT" },
    { port: s.kafka.controllerPort, setting: "AZFLOW_KAFKA_CONTROLLER_PORT" },
  ],
  logFile: (s) => path.join(s.logDir, "kafka.log"),
  async prepare(s) {
    requireJava("Kafka");
    await ensureMavenJars("Kafka broker", brokerPom(s), s.kafka.jarsDir, path.join(s.logDir, "mvn-kafka.log"));
    fs.mkdirSync(s.kafka.dir, { recursive: true });
    fs.mkdirSync(s.logDir, { recursive: true });
    fs.writeFileSync(paths(s).config, serverProperties(s));
    fs.writeFileSync(paths(s).log4j, log4jProperties(s));
    await formatStorage(s);
  },
  async launch(s) {
    const pid = await spawnDetached({
      command: "java",
      args: [...jvmOptions(s), "-cp", classpath(s), "kafka.Kafka", paths(s).config],
      logFile: this.logFile(s),
      cwd: s.kafka.dir,
    });
    return { pid, marker: "kafka.Kafka" };
  },
  async ping(s) {
    const admin = (await client(s, "azflow-ping")).admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  },
  probe: produceAndConsume,
  readyTimeoutMs: 90_000,
  stop: { signal: "SIGTERM", leaderOnly: false, graceMs: 30_000 },
};
