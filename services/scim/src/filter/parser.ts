import {
  COMPARE_OPERATORS,
  type CompareOperator,
  type Filter,
  type FilterLiteral,
  type PatchPath,
} from '@roster/contracts';
import { scimErrors } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { type ResolvedAttribute, resolveAttribute } from '../schemas/attribute-lookup.ts';
import type { ResourceTypeName } from '../schemas/definitions.ts';
import { filterDepth, joined } from './combine.ts';
import { type Fail, Lexer, type Token } from './lexer.ts';
import { checkedComparison } from './semantics.ts';

/**
 * Recursive-descent parser for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths.
 * Precedence: not > and > or; and/or chains become balanced trees (combine.ts). Keywords and attribute names are
 * case-insensitive; every attribute is resolved to its canonical reference for the resource type.
 * Inside `attr[…]`, paths are the parent's sub-attributes and are emitted fully qualified
 * ({attribute: 'emails', subAttribute: 'type'}), so every AttributeRef stands on its own.
 */

const SIMPLE_NAME = /^[A-Za-z$][\w$-]*$/;

type Word = Extract<Token, { kind: 'word' }>;

class Parser {
  readonly #lexer: Lexer;
  readonly #resourceType: ResourceTypeName;
  readonly #fail: Fail;
  /** The next token once peeked (tokens are read on demand: a value after an operator is read differently). */
  #lookahead: Token | undefined;
  #depth = 0;
  #comparisons = 0;

  constructor(text: string, resourceType: ResourceTypeName, fail: Fail) {
    if (text.length > LIMITS.maxFilterLength) {
      throw scimErrors.tooMany(
        `A filter or path of ${text.length} characters is more than the ${LIMITS.maxFilterLength} allowed`,
      );
    }
    this.#lexer = new Lexer(text, fail);
    this.#resourceType = resourceType;
    this.#fail = fail;
  }

  parseWholeFilter(): Filter {
    const filter = this.#orExpression(undefined);
    this.#expectEnd();
    return withinDepth(filter);
  }

  parseWholePatchPath(): PatchPath {
    const target = this.#attributePath(this.#expectWord('an attribute path'), undefined);
    const path: PatchPath = this.#peek().kind === '[' ? this.#filteredPath(target) : { ...target.ref };
    this.#expectEnd();
    return path;
  }

  /** `attr[valFilter]` optionally followed by `.subAttr`. */
  #filteredPath(target: ResolvedAttribute): PatchPath {
    const valueFilter = withinDepth(this.#bracketed(target));
    return { ...target.ref, valueFilter, ...this.#optionalSubAttribute(target) };
  }

  #peek(): Token {
    this.#lookahead ??= this.#lexer.next();
    return this.#lookahead;
  }

  #next(): Token {
    const token = this.#peek();
    this.#lookahead = undefined;
    return token;
  }

  #peekKeyword(keyword: string): boolean {
    const token = this.#peek();
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  #describe(token: Token): string {
    if (token.kind === 'end') return 'end of input';
    if (token.kind === 'word') return `'${token.text}' at position ${token.position}`;
    if (token.kind === 'string') return `string ${JSON.stringify(token.value)} at position ${token.position}`;
    if (token.kind === 'number') return `number ${token.value} at position ${token.position}`;
    return `'${token.kind}' at position ${token.position}`;
  }

  #expect(kind: Token['kind'], what: string): Token {
    const token = this.#next();
    if (token.kind !== kind) throw this.#fail(`Expected ${what} but found ${this.#describe(token)}`);
    return token;
  }

  #expectWord(what: string): Word {
    return this.#expect('word', what) as Word;
  }

  #expectEnd(): void {
    this.#expect('end', 'end of input');
  }

  #nested<T>(parse: () => T): T {
    if (++this.#depth > LIMITS.maxFilterDepth) throw tooDeep();
    const result = parse();
    this.#depth--;
    return result;
  }

  #orExpression(scope: ResolvedAttribute | undefined): Filter {
    const terms = [this.#andExpression(scope)];
    while (this.#peekKeyword('or')) {
      this.#next();
      terms.push(this.#andExpression(scope));
    }
    return joined('or', terms);
  }

  #andExpression(scope: ResolvedAttribute | undefined): Filter {
    const terms = [this.#unary(scope)];
    while (this.#peekKeyword('and')) {
      this.#next();
      terms.push(this.#unary(scope));
    }
    return joined('and', terms);
  }

  #unary(scope: ResolvedAttribute | undefined): Filter {
    if (this.#peekKeyword('not')) {
      this.#next();
      if (this.#peek().kind !== '(')
        throw this.#fail(`Expected '(' after 'not' but found ${this.#describe(this.#peek())}`);
      return { kind: 'not', filter: this.#parenthesized(scope) };
    }
    if (this.#peek().kind === '(') return this.#parenthesized(scope);
    return this.#attributeExpression(scope);
  }

  #parenthesized(scope: ResolvedAttribute | undefined): Filter {
    this.#expect('(', "'('");
    const filter = this.#nested(() => this.#orExpression(scope));
    this.#expect(')', "')'");
    return filter;
  }

  #bracketed(parent: ResolvedAttribute): Filter {
    if (parent.ref.subAttribute) throw this.#fail('A value filter must follow a top-level attribute');
    if (parent.attribute.type !== 'complex') {
      throw this.#fail(`'${parent.ref.attribute}' is not a complex attribute and cannot take a value filter`);
    }
    this.#expect('[', "'['");
    const filter = this.#nested(() => this.#orExpression(parent));
    this.#expect(']', "']'");
    return filter;
  }

  #optionalSubAttribute(parent: ResolvedAttribute): { subAttribute?: string } {
    const token = this.#peek();
    if (token.kind !== 'word' || !token.text.startsWith('.')) return {};
    this.#next();
    return {
      subAttribute: this.#attributePath({ ...token, text: token.text.slice(1) }, parent).ref.subAttribute!,
    };
  }

  /** `path pr`, `path op value` or (top level only) `path[valFilter]`. */
  #attributeExpression(scope: ResolvedAttribute | undefined): Filter {
    const pathToken = this.#expectWord('an attribute path');
    const target = this.#attributePath(pathToken, scope);
    if (++this.#comparisons > LIMITS.maxFilterComparisons) {
      throw scimErrors.tooMany(`A filter may hold at most ${LIMITS.maxFilterComparisons} comparisons`);
    }
    if (this.#peek().kind === '[') {
      if (scope) throw this.#fail(`Value filters cannot be nested ('${pathToken.text}')`);
      return { kind: 'valuePath', path: target.ref, filter: this.#bracketed(target) };
    }
    const operatorToken = this.#expectWord(`an operator after '${pathToken.text}'`);
    const operator = operatorToken.text.toLowerCase();
    if (operator === 'pr') return { kind: 'present', path: target.ref };
    if (!(COMPARE_OPERATORS as readonly string[]).includes(operator)) {
      throw this.#fail(`Unknown operator '${operatorToken.text}' at position ${operatorToken.position}`);
    }
    return checkedComparison(target, operator as CompareOperator, this.#literal(), this.#fail);
  }

  /** The value after an operator (the operator was the last token read, so nothing is peeked). */
  #literal(): FilterLiteral {
    const token = this.#lexer.nextValue();
    if (token.kind === 'string' && token.value.length > LIMITS.maxStringLength) {
      throw this.#fail(
        `A string longer than ${LIMITS.maxStringLength} characters at position ${token.position}`,
      );
    }
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    const keyword = token.kind === 'word' ? token.text.toLowerCase() : undefined;
    if (keyword === 'true') return true;
    if (keyword === 'false') return false;
    if (keyword === 'null') return null;
    throw this.#fail(
      `Expected a value (string, number, true, false or null) but found ${this.#describe(token)}`,
    );
  }

  /** Resolves a path token; inside `parent[…]` it names one of the parent's sub-attributes. */
  #attributePath(token: Word, parent: ResolvedAttribute | undefined): ResolvedAttribute {
    if (parent && !SIMPLE_NAME.test(token.text)) {
      throw this.#fail(`'${token.text}' must be a sub-attribute name of '${parent.ref.attribute}'`);
    }
    const path = parent ? `${parent.ref.schema}:${parent.ref.attribute}.${token.text}` : token.text;
    const resolved = resolveAttribute(path, this.#resourceType);
    if (!resolved) {
      const owner = parent ? `'${parent.ref.attribute}'` : `a ${this.#resourceType}`;
      throw this.#fail(`Unknown attribute '${token.text}' for ${owner} at position ${token.position}`);
    }
    return resolved;
  }
}

const tooDeep = () =>
  scimErrors.tooMany(
    `A filter may be nested at most ${LIMITS.maxFilterDepth} levels deep (and/or chains count)`,
  );

const withinDepth = (filter: Filter): Filter => {
  if (filterDepth(filter) > LIMITS.maxFilterDepth) throw tooDeep();
  return filter;
};

/** Parses a `filter` query parameter; any problem → 400 invalidFilter. */
export const parseFilter = (text: string, resourceType: ResourceTypeName): Filter =>
  new Parser(text, resourceType, scimErrors.invalidFilter).parseWholeFilter();

/** Parses a PATCH operation `path`; any problem → 400 invalidPath. */
export const parsePatchPath = (text: string, resourceType: ResourceTypeName): PatchPath =>
  new Parser(text, resourceType, scimErrors.invalidPath).parseWholePatchPath();
