// A minimal Queue client over the REST API, authorised by an account SAS signed with the
// development key: the storage-blob SDK can sign it, so no queue SDK dependency is needed for a
// health probe and tests. Message text is base64, as the Functions queue trigger expects.
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  SASProtocol,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from "@azure/storage-blob";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from "./azurite-account";

export interface QueueMessage {
  id: string;
  popReceipt: string;
  text: string;
  dequeueCount: number;
}

function accountSas(): string {
  return generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 60 * 60_000),
      permissions: AccountSASPermissions.parse("rwdlacup"),
      services: AccountSASServices.parse("q").toString(),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      protocol: SASProtocol.HttpsAndHttp,
    },
    new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY),
  ).toString();
}

function tag(xml: string, name: string): string {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? "";
}

export class AzuriteQueue {
  private readonly sas = accountSas();
  private readonly url: string;

  constructor(queueServiceUrl: string, readonly name: string) {
    this.url = `${queueServiceUrl}/${encodeURIComponent(name)}`;
  }

  private async call(method: string, suffix: string, query: string, body?: string): Promise<string> {
    const res = await fetch(`${this.url}${suffix}?${query ? query + "&" : ""}${this.sas}`, {
      method,
      body,
      headers: body ? { "content-type": "application/xml" } : {},
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`queue ${method} ${this.name}${suffix} answered ${res.status}: ${tag(text, "Message") || text.slice(0, 200)}`);
    return text;
  }

  /** Creates the queue; an existing queue is fine. */
  async create(): Promise<void> {
    await this.call("PUT", "", "");
  }

  async deleteQueue(): Promise<void> {
    await this.call("DELETE", "", "");
  }

  async send(text: string): Promise<void> {
    const encoded = Buffer.from(text, "utf8").toString("base64");
    await this.call("POST", "/messages", "", `<QueueMessage><MessageText>${encoded}</MessageText></QueueMessage>`);
  }

  /** Dequeues up to `max` (1-32) messages, hiding them for `visibilitySeconds`. */
  async receive(max = 1, visibilitySeconds = 30): Promise<QueueMessage[]> {
    const xml = await this.call("GET", "/messages", `numofmessages=${max}&visibilitytimeout=${visibilitySeconds}`);
    return [...xml.matchAll(/<QueueMessage>([\s\S]*?)<\/QueueMessage>/g)].map((m) => {
      const item = m[1] ?? "";
      return {
        id: tag(item, "MessageId"),
        popReceipt: tag(item, "PopReceipt"),
        text: Buffer.from(tag(item, "MessageText"), "base64").toString("utf8"),
        dequeueCount: Number(tag(item, "DequeueCount") || "0"),
      };
    });
  }

  async delete(message: QueueMessage): Promise<void> {
    await this.call("DELETE", `/messages/${encodeURIComponent(message.id)}`, `popreceipt=${encodeURIComponent(message.popReceipt)}`);
  }
}
