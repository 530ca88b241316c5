// Produce messages to a Kafka topic (Event Hubs in Azure) with an idempotent producer and acks
// from all replicas. Messages come from the config or from a registered generator callable, and
// are sent in bounded batches so memory does not grow with the message count.
import type { Message } from "kafkajs";
import { kafkaClient } from "../hooks/kafka";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorContext, OperatorDefinition } from "./operator";
import { registeredCallables } from "./callable";

export type MessageGenerator = (args: Record<string, unknown>, ctx: OperatorContext) => Iterable<unknown> | AsyncIterable<unknown>;
const generators = new Map<string, MessageGenerator>();

export function registerMessageGenerator(name: string, fn: MessageGenerator): void {
  generators.set(name, fn);
}

export interface ProduceConfig {
  connId: string;
  topic: string;
  messages?: unknown[];
  generator?: string;
  generatorArgs: Record<string, unknown>;
  keyField?: string;
  batchSize: number;
}

function toMessage(value: unknown, keyField: string | undefined): Message {
  const key = keyField && value && typeof value === "object" ? (value as Record<string, unknown>)[keyField] : undefined;
  return { key: key === undefined || key === null ? null : String(key), value: typeof value === "string" ? value : JSON.stringify(value) };
}

export const kafkaProduceOperator: OperatorDefinition<ProduceConfig> = {
  name: "kafka_produce",
  templateFields: ["topic", "messages", "generator_args"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "topic", "messages", "generator", "generator_args", "key_field", "batch_size"]);
    if (c.has("messages") === c.has("generator")) throw new ConfigError(`${where}: give exactly one of 'messages' or 'generator'.`);
    const topic = c.string("topic");
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new ConfigError(`${where}: '${topic}' is not a valid topic name.`);
    const messages = c.raw("messages");
    if (messages !== undefined && !Array.isArray(messages)) throw new ConfigError(`${where}: 'messages' must be a list.`);
    const generator = c.optionalString("generator");
    if (generator && !generators.has(generator)) {
      throw new ConfigError(`${where}: message generator '${generator}' is not registered (known: ${[...generators.keys(), ...registeredCallables()].join(", ") || "none"}).`);
    }
    return {
      connId: c.string("conn_id", "kafka_default"),
      topic,
      messages: messages as unknown[] | undefined,
      generator,
      generatorArgs: (c.raw("generator_args") as Record<string, unknown>) ?? {},
      keyField: c.optionalString("key_field"),
      batchSize: c.number("batch_size", 500, 1, 100_000),
    };
  },
  async execute(config, ctx) {
    const producer = kafkaClient(config.connId).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
    await producer.connect();
    let count = 0;
    try {
      const source = config.messages ?? generators.get(config.generator!)!(config.generatorArgs, ctx);
      let batch: Message[] = [];
      const flush = async (): Promise<void> => {
        if (!batch.length) return;
        await producer.send({ topic: config.topic, acks: -1, messages: batch });
        count += batch.length;
        batch = [];
      };
      for await (const value of source as AsyncIterable<unknown>) {
        if (ctx.signal.aborted) throw new Error("Produce was cut off by its execution timeout.");
        batch.push(toMessage(value, config.keyField));
        if (batch.length >= config.batchSize) await flush();
      }
      await flush();
    } finally {
      await producer.disconnect();
    }
    ctx.log(`Produced ${count} message(s) to ${config.topic}.`);
    return { topic: config.topic, messages: count };
  },
};
