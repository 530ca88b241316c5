// Blob receipts: which version (etag) of which blob each blob-trigger function has processed, so a
// blob fires once per version, also across host restarts (the host keeps these in the
// azure-webjobs-hosts container; here a JSON file under the state directory).
import * as fs from "node:fs";
import * as path from "node:path";

export interface Receipt {
  etag: string;
  /** Failed attempts for this etag; at the limit the blob is given up on (poisoned). */
  failures: number;
  done: boolean;
  at: string;
}

export class ReceiptStore {
  private readonly receipts: Record<string, Receipt>;

  constructor(private readonly file?: string) {
    this.receipts = file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Receipt>) : {};
  }

  static key(functionName: string, blobPath: string): string {
    return `${functionName}/${blobPath}`;
  }

  get(key: string): Receipt | undefined {
    return this.receipts[key];
  }

  set(key: string, receipt: Receipt): void {
    this.receipts[key] = receipt;
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(`${this.file}.tmp`, JSON.stringify(this.receipts, null, 1));
    fs.renameSync(`${this.file}.tmp`, this.file);
  }
}
