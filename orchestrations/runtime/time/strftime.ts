import { civil, utcMs } from "./calendar";

// Python's strftime/strptime for the directives DAG templates use, on UTC instants.
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export class FormatError extends Error {
  override name = "FormatError";
}

function pad(n: number, width: number, noPad: boolean): string {
  return noPad ? String(n) : String(n).padStart(width, "0");
}

/** Formats a UTC instant; `%-d` style (no padding) is accepted as on Linux. */
export function strftime(ms: number, format: string): string {
  const t = civil(ms);
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== "%") {
      out += ch;
      continue;
    }
    let directive = format[++i];
    const noPad = directive === "-";
    if (noPad) directive = format[++i];
    const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    switch (directive) {
      case "Y": out += pad(t.year, 4, noPad); break;
      case "y": out += pad(t.year % 100, 2, noPad); break;
      case "m": out += pad(t.month, 2, noPad); break;
      case "d": out += pad(t.day, 2, noPad); break;
      case "e": out += String(t.day).padStart(2, " "); break;
      case "H": out += pad(t.hour, 2, noPad); break;
      case "I": out += pad(hour12, 2, noPad); break;
      case "M": out += pad(t.minute, 2, noPad); break;
      case "S": out += pad(t.second, 2, noPad); break;
      case "f": out += pad(t.millisecond * 1000, 6, false); break;
      case "j": out += pad(t.dayOfYear, 3, noPad); break;
      case "p": out += t.hour < 12 ? "AM" : "PM"; break;
      case "b": case "h": out += MONTHS[t.month - 1].slice(0, 3); break;
      case "B": out += MONTHS[t.month - 1]; break;
      case "a": out += DAYS[t.weekday].slice(0, 3); break;
      case "A": out += DAYS[t.weekday]; break;
      case "w": out += String(t.weekday); break;
      case "u": out += String(t.weekday === 0 ? 7 : t.weekday); break;
      case "z": out += "+0000"; break;
      case "Z": out += "UTC"; break;
      case "s": out += String(Math.floor(ms / 1000)); break;
      case "F": out += `${pad(t.year, 4, false)}-${pad(t.month, 2, false)}-${pad(t.day, 2, false)}`; break;
      case "T": out += `${pad(t.hour, 2, false)}:${pad(t.minute, 2, false)}:${pad(t.second, 2, false)}`; break;
      case "%": out += "%"; break;
      default: throw new FormatError(`unsupported strftime directive %${directive ?? ""} in "${format}"`);
    }
  }
  return out;
}

/** Parses text with a strptime format into a UTC instant (naive times are UTC). */
export function strptime(text: string, format: string): number {
  const f = { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0, pm: null as boolean | null };
  let pos = 0;
  const fail = (): never => {
    throw new FormatError(`time data "${text}" does not match format "${format}"`);
  };
  const number = (maxDigits: number): number => {
    const match = new RegExp(`^\\d{1,${maxDigits}}`).exec(text.slice(pos));
    if (!match) return fail();
    pos += match[0].length;
    return Number(match[0]);
  };
  const name = (names: string[], short: boolean): number => {
    const rest = text.slice(pos).toLowerCase();
    const index = names.findIndex((n) => rest.startsWith((short ? n.slice(0, 3) : n).toLowerCase()));
    if (index < 0) return fail();
    pos += short ? 3 : names[index].length;
    return index;
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== "%") {
      if (text[pos] !== ch) fail();
      pos++;
      continue;
    }
    let directive = format[++i];
    if (directive === "-") directive = format[++i];
    switch (directive) {
      case "Y": f.year = number(4); break;
      case "y": { const y = number(2); f.year = y < 69 ? 2000 + y : 1900 + y; break; }
      case "m": f.month = number(2); break;
      case "d": f.day = number(2); break;
      case "H": case "I": f.hour = number(2); break;
      case "M": f.minute = number(2); break;
      case "S": f.second = number(2); break;
      case "f": { const start = pos; const v = number(6); f.micro = v * 10 ** (6 - (pos - start)); break; }
      case "p": { const v = text.slice(pos, pos + 2).toUpperCase(); if (v !== "AM" && v !== "PM") fail(); f.pm = v === "PM"; pos += 2; break; }
      case "b": case "h": f.month = name(MONTHS, true) + 1; break;
      case "B": f.month = name(MONTHS, false) + 1; break;
      case "a": name(DAYS, true); break;
      case "A": name(DAYS, false); break;
      case "%": if (text[pos] !== "%") fail(); pos++; break;
      default: throw new FormatError(`unsupported strptime directive %${directive ?? ""} in "${format}"`);
    }
  }
  if (pos !== text.length) fail();
  if (f.pm !== null) f.hour = (f.hour % 12) + (f.pm ? 12 : 0);
  const ms = utcMs(f.year, f.month, f.day, f.hour, f.minute, f.second, Math.floor(f.micro / 1000));
  const check = civil(ms);
  if (check.month !== f.month || check.day !== f.day || f.hour > 23 || f.minute > 59 || f.second > 59) fail();
  return ms;
}
