import type { ScimError } from '../errors.ts';

/** Tokens of the RFC 7644 §3.4.2.2 filter / §3.5.2 path grammar; `position` is the 0-based offset in the text. */
export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly position: number }
  | { readonly kind: 'string'; readonly value: string; readonly position: number }
  | { readonly kind: 'number'; readonly value: number; readonly position: number }
  | { readonly kind: '(' | ')' | '[' | ']' | 'end'; readonly position: number };

export type Fail = (detail: string) => ScimError;

const PUNCTUATION = new Set(['(', ')', '[', ']']);
// Attribute paths (incl. URN prefixes like `urn:…:2.0:User:name.givenName` and a `.sub` after `]`),
// operators, and/or/not, true/false/null.
const WORD = /[A-Za-z$.][\w$:.-]*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w$:.-])/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const WHITESPACE = /\s+/y;
/** An unquoted value runs up to the next whitespace, parenthesis or bracket. */
const BARE_VALUE = /[^\s()[\]]+/y;
const KEYWORD_VALUE = /^(?:true|false|null)$/i;
const WHOLE_NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const matchAt = (pattern: RegExp, text: string, position: number): string | undefined => {
  pattern.lastIndex = position;
  return pattern.exec(text)?.[0];
};

const parseString = (raw: string, position: number, fail: Fail): string => {
  try {
    return JSON.parse(raw) as string;
  } catch {
    throw fail(`Invalid string literal at position ${position}: ${raw}`);
  }
};

/**
 * Reads tokens one at a time, as the parser asks for them: after a comparison operator the parser
 * asks for a value (`nextValue`), which may also be unquoted.
 */
export class Lexer {
  readonly #text: string;
  readonly #fail: Fail;
  #position = 0;

  constructor(text: string, fail: Fail) {
    this.#text = text;
    this.#fail = fail;
  }

  next(): Token {
    const start = this.#skipWhitespace();
    if (start === undefined) return { kind: 'end', position: this.#text.length };
    return this.#quotedOrPunctuation(start) ?? this.#numberOrWord(start);
  }

  /**
   * A comparison value: a string, a number, true/false/null, or (leniency for Microsoft's SCIM
   * reference tests, which send `userName sw O`) an unquoted string running up to the next
   * whitespace, `(`, `)`, `[` or `]`. Values valid in RFC 7644 keep their meaning: only text that
   * is no value at all becomes an unquoted string.
   */
  nextValue(): Token {
    const start = this.#skipWhitespace();
    if (start === undefined) return { kind: 'end', position: this.#text.length };
    const quoted = this.#quotedOrPunctuation(start);
    if (quoted) return quoted;
    const bare = matchAt(BARE_VALUE, this.#text, start)!;
    if (WHOLE_NUMBER.test(bare))
      return this.#take({ kind: 'number', value: Number(bare), position: start }, bare);
    if (bare.includes('"')) {
      throw this.#fail(`An unquoted value cannot contain '"' (position ${start}); quote the whole value`);
    }
    if (KEYWORD_VALUE.test(bare)) return this.#take({ kind: 'word', text: bare, position: start }, bare);
    return this.#take({ kind: 'string', value: bare, position: start }, bare);
  }

  /** The start of the next token, or undefined at the end of the text. */
  #skipWhitespace(): number | undefined {
    const space = matchAt(WHITESPACE, this.#text, this.#position);
    if (space) this.#position += space.length;
    return this.#position < this.#text.length ? this.#position : undefined;
  }

  #take(token: Token, raw: string): Token {
    this.#position += raw.length;
    return token;
  }

  #quotedOrPunctuation(start: number): Token | undefined {
    const char = this.#text[start]!;
    if (PUNCTUATION.has(char)) return this.#take({ kind: char as '(', position: start }, char);
    if (char !== '"') return undefined;
    const raw = matchAt(STRING, this.#text, start);
    if (!raw) throw this.#fail(`Unterminated string starting at position ${start}`);
    return this.#take({ kind: 'string', value: parseString(raw, start, this.#fail), position: start }, raw);
  }

  #numberOrWord(start: number): Token {
    const number = matchAt(NUMBER, this.#text, start);
    if (number) return this.#take({ kind: 'number', value: Number(number), position: start }, number);
    const word = matchAt(WORD, this.#text, start);
    if (word) return this.#take({ kind: 'word', text: word, position: start }, word);
    throw this.#fail(`Unexpected character '${this.#text[start]}' at position ${start}`);
  }
}
