// micro_batching_generate_data's message generator: one user activity per message, with the seed
// project's deliberate dirt (4% of ages null or empty, 1% out of range). Seeded, so a test can
// reproduce a batch exactly: the same seed, count and reference time give the same messages.
import { registerMessageGenerator } from "../activities/kafka-produce";
import { seededRandom, seedNumber } from "./seeded-random";

export interface UserActivity {
  username: string;
  age: number | null | "";
  gender: string;
  ad_position: string;
  browsing_history: string;
  activity_time: string;
  ip_address: string;
  log: string;
  redirect_from: string;
  redirect_to: string;
}

export const GENDERS = ["male", "female", "non-binary", "prefer not to say", "genderqueer", "genderfluid"];
export const AD_POSITIONS = ["top-banner", "sidebar", "inline", "footer", "popup"];
export const CATEGORIES = [
  "Education", "Entertainment", "News", "Shopping", "Social Media", "Sports", "Gaming", "Health", "Finance", "Technology",
  "Travel", "Automotive", "Home Improvement", "Fashion", "Food & Drink", "Real Estate", "Art & Culture", "Music", "Movies", "Books",
];
const BROWSERS = ["Chrome", "Firefox", "Safari", "Edge", "Opera"];
const DEVICES = ["Mobile", "Tablet", "Laptop"];
const SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "da", "fo", "gu", "hi", "jo", "pe", "qu", "ri", "su", "ta", "wy"];
const TLDS = ["com", "net", "org", "info", "biz", "io"];
const NAMES = ["alex", "sam", "kim", "lee", "max", "ana", "eva", "joe", "mia", "noah", "liam", "emma", "zoe", "ivan", "omar", "yuki"];

export { seededRandom, seedNumber };

function domains(random: () => number, n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) {
    const parts = 2 + Math.floor(random() * 3);
    let name = "";
    for (let i = 0; i < parts; i++) name += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    out.add(`${name}.${TLDS[Math.floor(random() * TLDS.length)]}`);
  }
  return [...out];
}

/** The fixed sites of the seed project: 50 referrers and 150 targets, the same for every seed. */
const SITES = (() => {
  const random = seededRandom(20240914);
  return { from: domains(random, 50), to: domains(random, 150) };
})();
export const REDIRECT_FROM = SITES.from;
export const REDIRECT_TO = SITES.to;

const pad = (n: number): string => String(n).padStart(2, "0");

function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export interface GeneratorOptions {
  seed: string | number;
  count: number;
  /** Activity times fall between 1 January of this instant's year and the instant itself. */
  until: string;
}

/** The messages, one at a time: memory stays flat however many are asked for. */
export function* userActivities(options: GeneratorOptions): Generator<UserActivity> {
  const random = seededRandom(seedNumber(options.seed));
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const untilMs = Date.parse(options.until);
  if (Number.isNaN(untilMs)) throw new Error(`'until' is not a date: ${options.until}`);
  const yearStart = Date.UTC(new Date(untilMs).getUTCFullYear(), 0, 1);
  for (let i = 0; i < options.count; i++) {
    const dice = random() * 100;
    const age = dice < 95 ? int(18, 100) : dice < 99 ? (random() < 0.5 ? null : "") : int(100, 220);
    const os = pick(["Windows", "Linux", "Macintosh"]);
    const [osName, osTail] = os === "Windows" ? [`Windows NT ${pick(["6.1", "6.2", "10.0"])}`, "Win64; x64"]
      : os === "Linux" ? [`Linux; Android ${pick([8, 9, 10])}`, pick(["Mobile", "Tablet"])]
        : [`Macintosh; Intel Mac OS X 10_${int(10, 15)}`, ""];
    const browser = `${pick(BROWSERS)}/${int(50, 100)}.0`;
    yield {
      username: `${pick(NAMES)}${pick(NAMES)}${int(1, 9999)}`,
      age,
      gender: pick(GENDERS),
      ad_position: pick(AD_POSITIONS),
      browsing_history: pick(CATEGORIES),
      activity_time: formatTime(yearStart + Math.floor(random() * Math.max(1, untilMs - yearStart))),
      ip_address: [int(0, 255), int(0, 255), int(0, 255), int(0, 255)].join("."),
      log: `Mozilla/5.0 (${osName}; ${pick(DEVICES)}) AppleWebKit/537.36 (KHTML, like Gecko) ${browser} ${osTail} Safari/537.36`,
      redirect_from: pick(REDIRECT_FROM),
      redirect_to: pick(REDIRECT_TO),
    };
  }
}

registerMessageGenerator("micro_batching.user_activity", (args, ctx) => {
  // Templated arguments ({{ params.messages }}) arrive as text.
  const count = typeof args.count === "string" && /^\d+$/.test(args.count.trim()) ? Number(args.count) : args.count ?? 50;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) throw new Error(`'count' must be a whole number, got ${JSON.stringify(args.count)}.`);
  const seed = args.seed ?? `${ctx.dagId}/${ctx.runId}`;
  if (typeof seed !== "string" && typeof seed !== "number") throw new Error("'seed' must be a string or a number.");
  const until = typeof args.until === "string" && args.until ? args.until : ctx.logicalDate;
  return userActivities({ seed, count, until });
});
