import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { Kafka, Partitioners, logLevel, type Consumer } from "kafkajs";
import { kafkaBrokers, needService, uniqueName } from "../../support/services";

function kafka(): Kafka {
  return new Kafka({ clientId: "azflow-test", brokers: kafkaBrokers(), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

/** Runs a consumer until `count` messages arrived, committing each offset itself, then disconnects it. */
async function consume(consumer: Consumer, topic: string, count: number): Promise<string[]> {
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${values.length} of ${count} messages arrived in 30 s`)), 30_000);
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        // Committed before the message counts as handled: the commit is what the test checks.
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
        values.push(message.value?.toString("utf8") ?? "");
        if (values.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return values;
}

/** Makes sure a consumer is disconnected even when the test fails half way. */
function track(t: TestContext, consumer: Consumer): Consumer {
  t.after(() => consumer.disconnect());
  return consumer;
}

test("kafka: produce, consume in a group, and resume from the committed offset", async (t) => {
  if (!(await needService(t, "kafka"))) return;
  const client = kafka();
  const topic = uniqueName("azflow-test-");
  const groupId = `${topic}-group`;
  const admin = client.admin();
  await admin.connect();
  t.after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true }), true);

  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  // An open connection keeps the test process alive (the broker drops idle ones only after 10 min).
  t.after(() => producer.disconnect());
  const first = Array.from({ length: 10 }, (_, i) => `event-${i}`);
  await producer.send({ topic, acks: -1, messages: first.map((value, i) => ({ key: `k${i % 3}`, value })) });

  const received = await consume(track(t, client.consumer({ groupId })), topic, first.length);
  assert.deepEqual([...received].sort(), [...first].sort());

  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  // A partition no message went to has no committed offset, reported as -1.
  const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  assert.equal(committed, first.length, "the group committed every message it consumed");

  // A new member of the same group starts from the committed offsets: it sees only the new message.
  await producer.send({ topic, acks: -1, messages: [{ key: "k0", value: "event-late" }] });
  assert.deepEqual(await consume(track(t, client.consumer({ groupId })), topic, 1), ["event-late"]);
});
