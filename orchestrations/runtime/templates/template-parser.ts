import { TemplateError } from "./template-values";

// A parser for the Jinja expression subset DAG templates use: literals, names, attribute and index
// access, calls with keyword arguments, filters, arithmetic, ~ concatenation, comparisons,
// and/or/not and `a if c else b`.
export type Node =
  | { type: "literal"; value: unknown }
  | { type: "name"; name: string }
  | { type: "list"; items: Node[] }
  | { type: "dict"; entries: [Node, Node][] }
  | { type: "attr"; target: Node; name: string }
  | { type: "index"; target: Node; index: Node }
  | { type: "call"; target: Node; args: Node[]; kwargs: [string, Node][] }
  | { type: "filter"; target: Node; name: string; args: Node[]; kwargs: [string, Node][] }
  | { type: "unary"; op: "not" | "-"; operand: Node }
  | { type: "binary"; op: string; left: Node; right: Node }
  | { type: "cond"; test: Node; then: Node; otherwise: Node };

type Token = { kind: "num" | "str" | "name" | "op"; value: string };

const OPERATORS = ["//", "==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|", "+", "-", "*", "/", "%", "~", "<", ">", "="];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (/[0-9]/.test(ch)) {
      const match = /^\d+(\.\d+)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: "num", value: match[0] });
      i += match[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: "name", value: match[0] });
      i += match[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let value = "";
      let j = i + 1;
      while (j < source.length && source[j] !== ch) {
        if (source[j] === "\\" && j + 1 < source.length) {
          const escaped = source[j + 1];
          value += escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped;
          j += 2;
        } else {
          value += source[j++];
        }
      }
      if (j >= source.length) throw new TemplateError(`unterminated string in expression "${source}"`);
      tokens.push({ kind: "str", value });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new TemplateError(`unexpected character '${ch}' in expression "${source}"`);
    tokens.push({ kind: "op", value: op });
    i += op.length;
  }
  return tokens;
}

export function parseExpression(source: string): Node {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (value: string): boolean => peek()?.kind === "op" && peek()?.value === value;
  const isWord = (value: string): boolean => peek()?.kind === "name" && peek()?.value === value;
  const fail = (what: string): never => {
    throw new TemplateError(`${what} in expression "${source}"`);
  };
  const expectOp = (value: string): void => {
    if (!isOp(value)) fail(`expected '${value}'${peek() ? ` but found '${peek()?.value}'` : " at the end"}`);
    pos++;
  };

  const parseArgs = (close: string): { args: Node[]; kwargs: [string, Node][] } => {
    const args: Node[] = [];
    const kwargs: [string, Node][] = [];
    while (!isOp(close)) {
      const token = peek();
      if (token?.kind === "name" && tokens[pos + 1]?.kind === "op" && tokens[pos + 1]?.value === "=") {
        pos += 2;
        kwargs.push([token.value, parseConditional()]);
      } else {
        if (kwargs.length > 0) fail("positional argument after keyword argument");
        args.push(parseConditional());
      }
      if (!isOp(close)) expectOp(",");
    }
    pos++;
    return { args, kwargs };
  };

  const parsePrimary = (): Node => {
    const token = peek();
    if (!token) return fail("unexpected end");
    pos++;
    if (token.kind === "num") return { type: "literal", value: Number(token.value) };
    if (token.kind === "str") return { type: "literal", value: token.value };
    if (token.kind === "name") {
      if (token.value === "True" || token.value === "true") return { type: "literal", value: true };
      if (token.value === "False" || token.value === "false") return { type: "literal", value: false };
      if (token.value === "None" || token.value === "none") return { type: "literal", value: null };
      return { type: "name", name: token.value };
    }
    if (token.value === "(") {
      const inner = parseConditional();
      expectOp(")");
      return inner;
    }
    if (token.value === "[") {
      const items: Node[] = [];
      while (!isOp("]")) {
        items.push(parseConditional());
        if (!isOp("]")) expectOp(",");
      }
      pos++;
      return { type: "list", items };
    }
    if (token.value === "{") {
      const entries: [Node, Node][] = [];
      while (!isOp("}")) {
        const key = parseConditional();
        expectOp(":");
        entries.push([key, parseConditional()]);
        if (!isOp("}")) expectOp(",");
      }
      pos++;
      return { type: "dict", entries };
    }
    return fail(`unexpected '${token.value}'`);
  };

  const parsePostfix = (): Node => {
    let node = parsePrimary();
    for (;;) {
      if (isOp(".")) {
        pos++;
        const name = peek();
        if (name?.kind !== "name" && name?.kind !== "num") fail("expected an attribute name after '.'");
        pos++;
        node = { type: "attr", target: node, name: (name as Token).value };
      } else if (isOp("[")) {
        pos++;
        const index = parseConditional();
        expectOp("]");
        node = { type: "index", target: node, index };
      } else if (isOp("(")) {
        pos++;
        node = { type: "call", target: node, ...parseArgs(")") };
      } else {
        return node;
      }
    }
  };

  const parseUnary = (): Node => {
    if (isOp("-")) {
      pos++;
      return { type: "unary", op: "-", operand: parseUnary() };
    }
    let node = parsePostfix();
    while (isOp("|")) {
      pos++;
      const name = peek();
      if (name?.kind !== "name") fail("expected a filter name after '|'");
      pos++;
      let args: Node[] = [];
      let kwargs: [string, Node][] = [];
      if (isOp("(")) {
        pos++;
        ({ args, kwargs } = parseArgs(")"));
      }
      node = { type: "filter", target: node, name: (name as Token).value, args, kwargs };
    }
    return node;
  };

  const binaryLevel = (next: () => Node, ops: string[]): (() => Node) => () => {
    let left = next();
    while (peek()?.kind === "op" && ops.includes(peek()?.value as string)) {
      const op = (peek() as Token).value;
      pos++;
      left = { type: "binary", op, left, right: next() };
    }
    return left;
  };
  const parseMul = binaryLevel(parseUnary, ["*", "/", "//", "%"]);
  const parseConcat = binaryLevel(parseMul, ["~"]);
  const parseAdd = binaryLevel(parseConcat, ["+", "-"]);
  const parseCompare = (): Node => {
    let left = parseAdd();
    for (;;) {
      if (peek()?.kind === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(peek()?.value as string)) {
        const op = (peek() as Token).value;
        pos++;
        left = { type: "binary", op, left, right: parseAdd() };
      } else if (isWord("in")) {
        pos++;
        left = { type: "binary", op: "in", left, right: parseAdd() };
      } else if (isWord("not") && tokens[pos + 1]?.kind === "name" && tokens[pos + 1]?.value === "in") {
        pos += 2;
        left = { type: "unary", op: "not", operand: { type: "binary", op: "in", left, right: parseAdd() } };
      } else {
        return left;
      }
    }
  };
  const parseNot = (): Node => {
    if (isWord("not")) {
      pos++;
      return { type: "unary", op: "not", operand: parseNot() };
    }
    return parseCompare();
  };
  const parseAnd = (): Node => {
    let left = parseNot();
    while (isWord("and")) {
      pos++;
      left = { type: "binary", op: "and", left, right: parseNot() };
    }
    return left;
  };
  const parseOr = (): Node => {
    let left = parseAnd();
    while (isWord("or")) {
      pos++;
      left = { type: "binary", op: "or", left, right: parseAnd() };
    }
    return left;
  };
  function parseConditional(): Node {
    const value = parseOr();
    if (!isWord("if")) return value;
    pos++;
    const test = parseOr();
    let otherwise: Node = { type: "literal", value: "" };
    if (isWord("else")) {
      pos++;
      otherwise = parseConditional();
    }
    return { type: "cond", test, then: value, otherwise };
  }

  const node = parseConditional();
  if (pos < tokens.length) fail(`unexpected '${tokens[pos].value}'`);
  return node;
}
