/**
 * CloudWatch Logs filter patterns (FilterLogEvents): the text forms (terms, "quoted phrases", `?or`
 * terms, `-excluded` terms, `%regex%` terms) and the JSON form (`{ $.level = "ERROR" && $.ms > 100 }`).
 * Matching is case-sensitive, as in AWS. The space-delimited form (`[ip, user, ...]`) is not
 * emulated: it is rejected rather than matched wrongly.
 */
import { AwsError } from '../../errors.js';

export type Matcher = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const text = (pattern ?? '').trim();
  if (text === '' || text === '""') return () => true;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw invalid();
    const test = new JsonPatternParser(text.slice(1, -1)).parse();
    return (message) => {
      const doc = parseJsonObject(message);
      return doc !== undefined && test(doc);
    };
  }
  if (text.startsWith('[')) {
    throw new AwsError('InvalidParameterException', 'tap local does not support space-delimited filter patterns ([...]).');
  }
  return textMatcher(text);
}

const invalid = () => new AwsError('InvalidParameterException', 'Invalid filter pattern');

/** Plain terms must all appear; of the `?` terms at least one; no `-` term may appear. */
function textMatcher(pattern: string): Matcher {
  const all: Matcher[] = [];
  const any: Matcher[] = [];
  const none: Matcher[] = [];
  const tokens = pattern.match(/[?-]?(?:"(?:[^"\\]|\\.)*"|%[^%]+%|\S+)/g) ?? [];
  for (const token of tokens) {
    const kind = token[0] === '?' || token[0] === '-' ? token[0] : '';
    const term = termMatcher(kind ? token.slice(1) : token);
    (kind === '?' ? any : kind === '-' ? none : all).push(term);
  }
  return (m) => all.every((t) => t(m)) && (any.length === 0 || any.some((t) => t(m))) && !none.some((t) => t(m));
}

function termMatcher(term: string): Matcher {
  if (term.length > 1 && term.startsWith('"') && term.endsWith('"')) {
    const phrase = term.slice(1, -1).replace(/\\(.)/g, '$1');
    return (m) => m.includes(phrase);
  }
  if (term.length > 2 && term.startsWith('%') && term.endsWith('%')) {
    const re = regex(term.slice(1, -1));
    return (m) => re.test(m);
  }
  return (m) => m.includes(term);
}

function regex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw invalid();
  }
}

function parseJsonObject(message: string): unknown {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(message.slice(start));
  } catch {
    return undefined;
  }
}

type Test = (doc: unknown) => boolean;

/** `expr := and ('||' and)*; and := unit ('&&' unit)*; unit := '(' expr ')' | selector condition`. */
class JsonPatternParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Test {
    const test = this.or();
    this.skip();
    if (this.pos !== this.src.length) throw invalid();
    return test;
  }

  private or(): Test {
    const parts = [this.and()];
    while (this.eat('||')) parts.push(this.and());
    return parts.length === 1 ? parts[0]! : (doc) => parts.some((p) => p(doc));
  }

  private and(): Test {
    const parts = [this.unit()];
    while (this.eat('&&')) parts.push(this.unit());
    return parts.length === 1 ? parts[0]! : (doc) => parts.every((p) => p(doc));
  }

  private unit(): Test {
    if (this.eat('(')) {
      const inner = this.or();
      if (!this.eat(')')) throw invalid();
      return inner;
    }
    const path = this.selector();
    const get = (doc: unknown) => path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
    if (this.eatWord('NOT') && this.eatWord('EXISTS')) return (doc) => get(doc) === undefined;
    if (this.eatWord('EXISTS')) return (doc) => get(doc) !== undefined;
    if (this.eatWord('IS')) {
      if (this.eatWord('TRUE')) return (doc) => get(doc) === true;
      if (this.eatWord('FALSE')) return (doc) => get(doc) === false;
      if (this.eatWord('NULL')) return (doc) => get(doc) === null;
      throw invalid();
    }
    const op = this.operator();
    const value = this.value();
    if (value.kind !== 'number' && op !== '=' && op !== '!=') throw invalid();
    return (doc) => compare(get(doc), op, value);
  }

  private selector(): string[] {
    this.skip();
    if (this.src[this.pos] !== '$') throw invalid();
    this.pos++;
    const path: string[] = [];
    for (;;) {
      const m = /^(?:\.([A-Za-z0-9_@\-$]+)|\[(\d+)\])/.exec(this.src.slice(this.pos));
      if (!m) break;
      path.push(m[1] ?? m[2]!);
      this.pos += m[0].length;
    }
    return path;
  }

  private operator(): string {
    this.skip();
    const m = /^(!=|<=|>=|=|<|>)/.exec(this.src.slice(this.pos));
    if (!m) throw invalid();
    this.pos += m[0].length;
    return m[1]!;
  }

  private value(): Value {
    this.skip();
    const rest = this.src.slice(this.pos);
    const m = /^(?:"((?:[^"\\]|\\.)*)"|%([^%]+)%|([^\s()&|]+))/.exec(rest);
    if (!m) throw invalid();
    this.pos += m[0].length;
    if (m[2] !== undefined) return { kind: 'regex', re: regex(m[2]) };
    const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[3]!;
    if (m[3] !== undefined && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw)) return { kind: 'number', n: Number(raw) };
    return { kind: 'string', s: raw, re: raw.includes('*') ? wildcard(raw) : undefined };
  }

  private skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private eat(token: string): boolean {
    this.skip();
    if (!this.src.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private eatWord(word: string): boolean {
    this.skip();
    const next = this.src.slice(this.pos, this.pos + word.length);
    if (next.toUpperCase() !== word || /[A-Za-z0-9_]/.test(this.src[this.pos + word.length] ?? '')) return false;
    this.pos += word.length;
    return true;
  }
}

type Value =
  | { kind: 'number'; n: number }
  | { kind: 'string'; s: string; re: RegExp | undefined }
  | { kind: 'regex'; re: RegExp };

function wildcard(s: string): RegExp {
  return new RegExp(`^${s.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function compare(actual: unknown, op: string, value: Value): boolean {
  if (actual === undefined || (actual !== null && typeof actual === 'object')) return false;
  if (value.kind === 'number') {
    const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    if (Number.isNaN(n)) return op === '!=';
    switch (op) {
      case '=': return n === value.n;
      case '!=': return n !== value.n;
      case '<': return n < value.n;
      case '>': return n > value.n;
      case '<=': return n <= value.n;
      default: return n >= value.n;
    }
  }
  const text = String(actual);
  const equal = value.kind === 'regex' ? value.re.test(text) : value.re ? value.re.test(text) : text === value.s;
  return op === '=' ? equal : !equal;
}
