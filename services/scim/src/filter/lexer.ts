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

const tokenAt = (text: string, position: number, fail: Fail): { token: Token; length: number } => {
  const char = text[position]!;
  if (PUNCTUATION.has(char)) return { token: { kind: char as '(', position }, length: 1 };
  if (char === '"') {
    const raw = matchAt(STRING, text, position);
    if (!raw) throw fail(`Unterminated string starting at position ${position}`);
    return {
      token: { kind: 'string', value: parseString(raw, position, fail), position },
      length: raw.length,
    };
  }
  const number = matchAt(NUMBER, text, position);
  if (number) return { token: { kind: 'number', value: Number(number), position }, length: number.length };
  const word = matchAt(WORD, text, position);
  if (word) return { token: { kind: 'word', text: word, position }, length: word.length };
  throw fail(`Unexpected character '${char}' at position ${position}`);
};

export const tokenize = (text: string, fail: Fail): Token[] => {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const space = matchAt(WHITESPACE, text, position);
    if (space) {
      position += space.length;
      continue;
    }
    const { token, length } = tokenAt(text, position, fail);
    tokens.push(token);
    position += length;
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
};
