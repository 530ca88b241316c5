// What the trigger functions saw, for the tests (kept apart from the entry; see durable-samples).

export interface TimerFiring {
  at: number;
  isPastDue: boolean;
  next: string;
  invocationId: string;
}

export interface BlobFiring {
  name: string;
  blobTrigger: string;
  content: string;
}

export const timerFirings: TimerFiring[] = [];
export const blobFirings: BlobFiring[] = [];
