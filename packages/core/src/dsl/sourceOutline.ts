/**
 * A small scanner that finds where each declaration of a DSL file is written: types, relations,
 * their type restrictions and rewrites, conditions, and the header. Semantic diagnostics are
 * computed on the JSON model, which has no positions; this outline is how they get a line and a
 * column back.
 *
 * It reads the text exactly as the parser does, after the same comment stripping (a line whose first
 * non-blank character is `#` is blank; otherwise everything from the first ` #` on is dropped), so
 * a trailing comment never shifts a position. It is token-based, not a regex over lines: `viewer`
 * never matches inside `viewer_2`, and a one-letter name never matches a letter of another word.
 * It never throws; on text the parser would reject it returns whatever it recognised.
 */

/** A range on one line, 0-based, `end` exclusive. */
export interface SourceSpan {
  /** 0-based line. */
  readonly line: number;
  /** 0-based first column. */
  readonly start: number;
  /** 0-based column just past the last character. */
  readonly end: number;
}

/** One entry of a direct-assignment list: `user`, `user:*`, `group#member`, `user with cond`. */
export interface RestrictionSite {
  /** The user type. */
  readonly type: string;
  /** The userset relation (`group#member`). */
  readonly relation?: string;
  /** True for `type:*`. */
  readonly wildcard: boolean;
  /** The condition name after `with`. */
  readonly condition?: string;
  /** The restriction as written without its condition: `user`, `user:*`, `group#member`. */
  readonly key: string;
  /** Where the type name is. */
  readonly typeSpan: SourceSpan;
  /** From the type name to the end of `:*` or `#relation`. */
  readonly baseSpan: SourceSpan;
  /** Where the condition name is. */
  readonly conditionSpan?: SourceSpan;
}

/** A rewrite operand: a computed userset (`editor`) or a tuple-to-userset (`viewer from parent`). */
export type RewriteSite =
  | {
      readonly kind: 'computed';
      /** The relation referenced. */
      readonly relation: string;
      /** The operand as written. */
      readonly key: string;
      /** Where the relation name is. */
      readonly span: SourceSpan;
    }
  | {
      readonly kind: 'tupleToUserset';
      /** The relation looked up on each tupleset object (`viewer` in `viewer from parent`). */
      readonly computed: string;
      /** The tupleset relation (`parent`). */
      readonly tupleset: string;
      /** `computed from tupleset`, single-spaced. */
      readonly key: string;
      /** From the computed relation to the end of the tupleset relation. */
      readonly span: SourceSpan;
      /** Where the computed relation is. */
      readonly computedSpan: SourceSpan;
      /** Where the tupleset relation is. */
      readonly tuplesetSpan: SourceSpan;
    };

/** `define name: ...`. */
export interface RelationSite {
  /** The relation name. */
  readonly name: string;
  /** Where the name is. */
  readonly nameSpan: SourceSpan;
  /** The direct-assignment entries, in source order. */
  readonly restrictions: readonly RestrictionSite[];
  /** The rewrite operands, in source order (the JSON model keeps the same left-to-right order). */
  readonly rewrites: readonly RewriteSite[];
}

/** `type name` or `extend type name`. */
export interface TypeSite {
  /** The type name. */
  readonly name: string;
  /** Where the name is. */
  readonly nameSpan: SourceSpan;
  /** True for `extend type`. */
  readonly extension: boolean;
  /** The relations, in source order. */
  readonly relations: readonly RelationSite[];
}

/** `condition name(params) { expression }`. */
export interface ConditionSite {
  /** The condition name. */
  readonly name: string;
  /** Where the name is. */
  readonly nameSpan: SourceSpan;
  /** The declared parameters, in source order. */
  readonly parameters: readonly { readonly name: string; readonly nameSpan: SourceSpan }[];
}

/** The `model` / `schema x.y` or `module name` header. */
export interface HeaderSite {
  /** Which header the file has. */
  readonly kind: 'model' | 'module';
  /** Where the `model` or `module` keyword is. */
  readonly keywordSpan: SourceSpan;
  /** The schema version written after `schema`. */
  readonly schemaVersion?: string;
  /** Where the schema version is. */
  readonly schemaVersionSpan?: SourceSpan;
  /** The module name. */
  readonly moduleName?: string;
  /** Where the module name is. */
  readonly moduleNameSpan?: SourceSpan;
}

/** Every declaration of one DSL file and where it is. */
export interface DslOutline {
  /** The header, when there is one. */
  readonly header?: HeaderSite;
  /** Types in source order; `type_definitions[i]` of the parsed model is `types[i]`. */
  readonly types: readonly TypeSite[];
  /** Conditions in source order. */
  readonly conditions: readonly ConditionSite[];
}

/**
 * Strips comments the way the OpenFGA parser does before lexing, so columns stay those of the
 * original text: a comment line becomes empty, a trailing ` #...` is cut.
 */
export function stripComments(source: string): string[] {
  return source.split('\n').map((line) => {
    if (line.trimStart().startsWith('#')) return '';
    return (line.split(' #')[0] ?? '').trimEnd();
  });
}

interface Token {
  readonly kind: 'word' | 'punct' | 'string' | 'newline';
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

const WORD = /[A-Za-z0-9_\-./]/;
const BLANK = /[ \t\f\r\v]/;

function tokenize(lines: readonly string[]): Token[] {
  const tokens: Token[] = [];
  let openString: { quote: string; line: number; col: number } | undefined;
  lines.forEach((text, line) => {
    let i = 0;
    if (openString) {
      // Inside a CEL triple-quoted string that started on an earlier line.
      const close = text.indexOf(openString.quote);
      if (close < 0) {
        tokens.push({ kind: 'newline', text: '\n', line, col: text.length });
        return;
      }
      i = close + openString.quote.length;
      tokens.push({ kind: 'string', text: openString.quote, line: openString.line, col: openString.col });
      openString = undefined;
    }
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (BLANK.test(ch)) {
        i++;
      } else if (WORD.test(ch) && !(ch === '/' && text[i + 1] === '/')) {
        const start = i;
        while (i < text.length && WORD.test(text[i] ?? '')) i++;
        tokens.push({ kind: 'word', text: text.slice(start, i), line, col: start });
      } else if (ch === '/' && text[i + 1] === '/') {
        // A CEL line comment: nothing after it on the line is code.
        i = text.length;
      } else if (ch === '"' || ch === "'") {
        const start = i;
        const triple = text.startsWith(ch.repeat(3), i);
        if (triple) {
          const close = text.indexOf(ch.repeat(3), i + 3);
          if (close < 0) {
            openString = { quote: ch.repeat(3), line, col: start };
            i = text.length;
            continue;
          }
          i = close + 3;
        } else {
          i++;
          while (i < text.length && text[i] !== ch) i += text[i] === '\\' ? 2 : 1;
          i++;
        }
        tokens.push({ kind: 'string', text: text.slice(start, i), line, col: start });
      } else {
        tokens.push({ kind: 'punct', text: ch, line, col: i });
        i++;
      }
    }
    tokens.push({ kind: 'newline', text: '\n', line, col: text.length });
  });
  return tokens;
}

function spanOf(token: Token): SourceSpan {
  return { line: token.line, start: token.col, end: token.col + token.text.length };
}

function spanFrom(first: Token, last: Token): SourceSpan {
  return { line: first.line, start: first.col, end: first.line === last.line ? last.col + last.text.length : first.col + first.text.length };
}

class Parser {
  private i = 0;
  private header: HeaderSite | undefined;
  private readonly types: TypeSite[] = [];
  private readonly conditions: ConditionSite[] = [];
  private currentRelations: RelationSite[] | undefined;

  constructor(private readonly tokens: readonly Token[]) {}

  outline(): DslOutline {
    while (this.i < this.tokens.length) this.statement();
    return { ...(this.header ? { header: this.header } : {}), types: this.types, conditions: this.conditions };
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private isWord(token: Token | undefined, text?: string): token is Token & { readonly kind: 'word' } {
    return token?.kind === 'word' && (text === undefined || token.text === text);
  }

  private isPunct(token: Token | undefined, text: string): token is Token & { readonly kind: 'punct' } {
    return token?.kind === 'punct' && token.text === text;
  }

  private skipLine(): void {
    while (this.i < this.tokens.length && this.peek()?.kind !== 'newline') this.i++;
    this.i++;
  }

  /** Reads one line-initial construct; every keyword of the DSL starts its line. */
  private statement(): void {
    const first = this.peek();
    if (!first || first.kind === 'newline') {
      this.i++;
      return;
    }
    if (first.kind !== 'word') {
      this.skipLine();
      return;
    }
    switch (first.text) {
      case 'model':
        if (!this.header) this.header = { kind: 'model', keywordSpan: spanOf(first) };
        break;
      case 'schema': {
        const version = this.peek(1);
        if (this.header?.kind === 'model' && this.header.schemaVersion === undefined && this.isWord(version)) {
          this.header = { ...this.header, schemaVersion: version.text, schemaVersionSpan: spanOf(version) };
        }
        break;
      }
      case 'module': {
        const name = this.peek(1);
        if (!this.header) {
          this.header = {
            kind: 'module',
            keywordSpan: spanOf(first),
            ...(this.isWord(name) ? { moduleName: name.text, moduleNameSpan: spanOf(name) } : {}),
          };
        }
        break;
      }
      case 'type':
        this.typeDeclaration(this.peek(1), false);
        break;
      case 'extend':
        if (this.isWord(this.peek(1), 'type')) this.typeDeclaration(this.peek(2), true);
        break;
      case 'define':
        this.i++;
        this.relation();
        return;
      case 'condition':
        this.i++;
        this.currentRelations = undefined;
        this.condition();
        return;
      default:
        break;
    }
    this.skipLine();
  }

  private typeDeclaration(name: Token | undefined, extension: boolean): void {
    if (!this.isWord(name)) {
      this.currentRelations = undefined;
      return;
    }
    const relations: RelationSite[] = [];
    this.types.push({ name: name.text, nameSpan: spanOf(name), extension, relations });
    this.currentRelations = relations;
  }

  private relation(): void {
    const name = this.peek();
    if (!this.isWord(name) || !this.currentRelations) {
      this.skipLine();
      return;
    }
    this.i++;
    if (!this.isPunct(this.peek(), ':')) {
      this.skipLine();
      return;
    }
    this.i++;
    const restrictions: RestrictionSite[] = [];
    const rewrites: RewriteSite[] = [];
    while (this.i < this.tokens.length) {
      const token = this.peek();
      if (!token || token.kind === 'newline') {
        this.i++;
        break;
      }
      if (this.isPunct(token, '[')) {
        this.i++;
        this.restrictionList(restrictions);
        continue;
      }
      if (token.kind === 'word' && !this.isOperator(token)) {
        const from = this.peek(1);
        const tupleset = this.peek(2);
        if (this.isWord(from, 'from') && this.isWord(tupleset) && from.line === token.line && tupleset.line === token.line) {
          rewrites.push({
            kind: 'tupleToUserset',
            computed: token.text,
            tupleset: tupleset.text,
            key: `${token.text} from ${tupleset.text}`,
            span: spanFrom(token, tupleset),
            computedSpan: spanOf(token),
            tuplesetSpan: spanOf(tupleset),
          });
          this.i += 3;
          continue;
        }
        rewrites.push({ kind: 'computed', relation: token.text, key: token.text, span: spanOf(token) });
      }
      this.i++;
    }
    this.currentRelations.push({ name: name.text, nameSpan: spanOf(name), restrictions, rewrites });
  }

  /** `or`, `and` and `but not` are operators, never names; a lone `not` or `but` is a name. */
  private isOperator(token: Token): boolean {
    if (token.text === 'or' || token.text === 'and') return true;
    if (token.text === 'but') {
      const next = this.peek(1);
      return this.isWord(next, 'not') && next.line === token.line && next.col === token.col + 4;
    }
    if (token.text === 'not') {
      const previous = this.tokens[this.i - 1];
      return previous?.kind === 'word' && previous.text === 'but' && previous.line === token.line && previous.col === token.col - 4;
    }
    return false;
  }

  /** Reads `type[:*|#relation][ with condition]` entries up to `]`; the list may span lines. */
  private restrictionList(into: RestrictionSite[]): void {
    while (this.i < this.tokens.length) {
      const token = this.peek();
      if (!token) return;
      if (token.kind === 'newline' || this.isPunct(token, ',')) {
        this.i++;
        continue;
      }
      if (this.isPunct(token, ']')) {
        this.i++;
        return;
      }
      if (token.kind !== 'word') {
        // Not a restriction list the parser accepted; stop at the end of this line.
        while (this.i < this.tokens.length && this.peek()?.kind !== 'newline') this.i++;
        return;
      }
      this.i++;
      let last = token;
      let relation: string | undefined;
      let wildcard = false;
      if (this.isPunct(this.peek(), ':') && this.isPunct(this.peek(1), '*')) {
        wildcard = true;
        last = this.peek(1) as Token;
        this.i += 2;
      } else if (this.isPunct(this.peek(), '#') && this.isWord(this.peek(1))) {
        const rel = this.peek(1) as Token;
        relation = rel.text;
        last = rel;
        this.i += 2;
      }
      let condition: Token | undefined;
      if (this.isWord(this.peek(), 'with') && this.isWord(this.peek(1))) {
        condition = this.peek(1);
        this.i += 2;
      }
      const key = wildcard ? `${token.text}:*` : relation !== undefined ? `${token.text}#${relation}` : token.text;
      into.push({
        type: token.text,
        ...(relation !== undefined ? { relation } : {}),
        wildcard,
        ...(condition ? { condition: condition.text, conditionSpan: spanOf(condition) } : {}),
        key,
        typeSpan: spanOf(token),
        baseSpan: spanFrom(token, last),
      });
    }
  }

  /** `condition name(p: type, ...) { expression }`: only the name and parameters matter. */
  private condition(): void {
    const name = this.peek();
    if (!this.isWord(name)) {
      this.skipLine();
      return;
    }
    this.i++;
    const parameters: { name: string; nameSpan: SourceSpan }[] = [];
    // Parameters: `name : type` pairs up to `)`.
    while (this.i < this.tokens.length) {
      const token = this.peek();
      if (!token || this.isPunct(token, ')') || this.isPunct(token, '{')) break;
      if (token.kind === 'word' && this.isPunct(this.peek(1), ':')) {
        parameters.push({ name: token.text, nameSpan: spanOf(token) });
        this.i += 2;
        continue;
      }
      this.i++;
    }
    // The body runs to the first `}` outside a string, as the grammar says.
    while (this.i < this.tokens.length && !this.isPunct(this.peek(), '{')) this.i++;
    while (this.i < this.tokens.length && !this.isPunct(this.peek(), '}')) this.i++;
    this.i++;
    this.conditions.push({ name: name.text, nameSpan: spanOf(name), parameters });
  }
}

/** Scans DSL text into a {@link DslOutline}. Never throws. */
export function outlineDSL(source: string): DslOutline {
  return new Parser(tokenize(stripComments(source))).outline();
}
