import type { Diagnostic, DiagnosticCode } from '../errors/index';
import type { LibrarySyntaxError } from './syntaxTransformer';

/**
 * Problems the parser's listener reports while building the JSON, with the names they carry. They
 * are DSL-only (JSON cannot even hold a relation or condition defined twice), and OpenFGA reports
 * them as syntax errors, so they keep the `invalid-syntax` code; the names go into the diagnostic's
 * `type` / `relation` / `condition` fields for tools.
 */
const LISTENER_MESSAGES: readonly {
  readonly pattern: RegExp;
  readonly fields: (m: RegExpMatchArray) => Pick<Diagnostic, 'type' | 'relation' | 'condition' | 'symbol'>;
}[] = [
  { pattern: /^'(.+)' is already defined in '(.+)'$/, fields: (m) => ({ relation: m[1], type: m[2], symbol: m[1] }) },
  { pattern: /^condition '(.+)' is already defined in the model$/, fields: (m) => ({ condition: m[1], symbol: m[1] }) },
  {
    pattern: /^parameter '(.+)' is already defined in the condition '(.+)'$/,
    fields: (m) => ({ condition: m[2], symbol: m[1] }),
  },
  { pattern: /^'(.+)' is already extended in file\.$/, fields: (m) => ({ type: m[1], symbol: m[1] }) },
];

function definedFields(fields: Pick<Diagnostic, 'type' | 'relation' | 'condition' | 'symbol'>): Partial<Diagnostic> {
  const out: { -readonly [K in keyof Diagnostic]?: Diagnostic[K] } = {};
  if (fields.type !== undefined) out.type = fields.type;
  if (fields.relation !== undefined) out.relation = fields.relation;
  if (fields.condition !== undefined) out.condition = fields.condition;
  if (fields.symbol !== undefined) out.symbol = fields.symbol;
  return out;
}

/** Converts one library syntax error into a Gatehouse diagnostic. */
export function syntaxDiagnostic(error: LibrarySyntaxError, file?: string, code: DiagnosticCode = 'invalid-syntax'): Diagnostic {
  const listener = LISTENER_MESSAGES.map((entry) => ({ entry, match: error.msg.match(entry.pattern) })).find((x) => x.match);
  const symbol = error.metadata?.symbol;
  return {
    code,
    message: error.msg,
    severity: 'error',
    ...(error.line ? { line: { start: error.line.start, end: error.line.end } } : {}),
    ...(error.column ? { column: { start: error.column.start, end: error.column.end } } : {}),
    ...(file !== undefined ? { file } : {}),
    ...(symbol !== undefined ? { symbol } : {}),
    ...(listener?.match ? definedFields(listener.entry.fields(listener.match)) : {}),
  };
}

/** Orders diagnostics by file (in the given order), then line, then column; unlocated ones last. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[], fileOrder: readonly string[] = []): Diagnostic[] {
  const rank = (d: Diagnostic): number => {
    const index = d.file === undefined ? -1 : fileOrder.indexOf(d.file);
    return index < 0 ? (d.file === undefined ? 0 : fileOrder.length) : index;
  };
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const byFile = rank(a.d) - rank(b.d);
      if (byFile !== 0) return byFile;
      const aLine = a.d.line?.start ?? Number.MAX_SAFE_INTEGER;
      const bLine = b.d.line?.start ?? Number.MAX_SAFE_INTEGER;
      if (aLine !== bLine) return aLine - bLine;
      const aCol = a.d.column?.start ?? 0;
      const bCol = b.d.column?.start ?? 0;
      return aCol !== bCol ? aCol - bCol : a.i - b.i;
    })
    .map(({ d }) => d);
}
