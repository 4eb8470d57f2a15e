import type { parse } from '@bufbuild/cel';
import type { CelT } from './celTypes';
import {
  BOOL,
  BYTES,
  DOUBLE,
  DYN,
  ERROR,
  INT,
  NULL,
  STRING,
  UINT,
  formatType,
  functionType,
  isAssignableType,
  isDyn,
  isDynOrError,
  isExactType,
  listOf,
  mapOf,
  typeParam,
} from './celTypes';
import type { FunctionDecl } from './declarations';
import { DISABLED_OVERLOADS, FUNCTION_DECLS, TYPE_IDENTS } from './declarations';

/** The parsed CEL AST, as `@bufbuild/cel` produces it. */
export type ParsedExpr = ReturnType<typeof parse>;
/** One node of the CEL AST. */
export type Expr = ParsedExpr['expr'];
type ExprKind = Expr['exprKind'];
type KindValue<C extends string> = Extract<ExprKind, { case: C }>['value'];
type Constant = KindValue<'constExpr'>;

/** A type-checking problem, with the expression id it is about (for the source position). */
export interface CheckIssue {
  /** The AST node the problem is about; its source offset is in the parse's `sourceInfo`. */
  readonly exprId: bigint;
  /** cel-go's wording of the problem. */
  readonly message: string;
}

/** The result of checking an expression: its output type, or the problems found. */
export type CheckResult =
  | { readonly ok: true; readonly outputType: CelT }
  | { readonly ok: false; readonly issues: readonly CheckIssue[] };

/**
 * Type-checks a parsed expression against the declared variables, the way cel-go's checker does
 * (checker/checker.go, checker/types.go): overload resolution with type-parameter unification,
 * DYN/ANY as wildcards, comprehension scopes. `@bufbuild/cel` ships no complete checker, and
 * OpenFGA rejects models whose conditions do not type-check, so Gatehouse carries its own.
 */
export function checkExpression(expr: Expr, variables: ReadonlyMap<string, CelT>): CheckResult {
  const checker = new Checker(variables);
  const root = checker.check(expr);
  if (checker.issues.length > 0) return { ok: false, issues: checker.issues };
  return { ok: true, outputType: substitute(checker.mappings, root, true) };
}

/** Type-parameter substitutions, copied on write so failed unifications leave no trace. */
type Mapping = Map<string, CelT>;

class Checker {
  readonly issues: CheckIssue[] = [];
  mappings: Mapping = new Map();
  private counter = 0;
  private readonly scopes: Map<string, CelT>[] = [];

  constructor(private readonly variables: ReadonlyMap<string, CelT>) {}

  check(e: Expr): CelT {
    const kind = e.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return this.checkConst(e.id, kind.value);
      case 'identExpr':
        return this.checkIdent(e.id, kind.value.name);
      case 'selectExpr':
        return this.checkSelect(e, kind.value);
      case 'callExpr':
        return this.checkCall(e, kind.value);
      case 'listExpr':
        return this.checkList(kind.value);
      case 'structExpr':
        return this.checkStruct(e, kind.value);
      case 'comprehensionExpr':
        return this.checkComprehension(kind.value);
      default:
        this.error(e.id, 'unexpected unspecified type: expression kind');
        return ERROR;
    }
  }

  private checkConst(id: bigint, c: Constant): CelT {
    switch (c.constantKind.case) {
      case 'boolValue':
        return BOOL;
      case 'bytesValue':
        return BYTES;
      case 'doubleValue':
        return DOUBLE;
      case 'int64Value':
        return INT;
      case 'nullValue':
        return NULL;
      case 'stringValue':
        return STRING;
      case 'uint64Value':
        return UINT;
      default:
        this.error(id, `unexpected literal type: ${c.constantKind.case ?? 'unspecified'}`);
        return ERROR;
    }
  }

  private lookupLocal(name: string): CelT | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = (this.scopes[i] as Map<string, CelT>).get(name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private lookupGlobal(name: string): CelT | undefined {
    return this.variables.get(name) ?? TYPE_IDENTS.get(name);
  }

  private checkIdent(id: bigint, name: string): CelT {
    const found = this.lookupLocal(name) ?? this.lookupGlobal(name);
    if (found !== undefined) return found;
    this.error(id, `undeclared reference to '${name}' (in container '')`);
    return ERROR;
  }

  private checkSelect(e: Expr, sel: KindValue<'selectExpr'>): CelT {
    // Like cel-go, first try `a.b.c` as one qualified identifier (e.g. google.protobuf.Timestamp).
    if (!sel.testOnly) {
      const qualifiers = qualifiedName(e);
      if (qualifiers !== undefined && this.lookupLocal(qualifiers[0] as string) === undefined) {
        const found = this.lookupGlobal(qualifiers.join('.'));
        if (found !== undefined) return found;
      }
    }
    if (sel.operand === undefined) {
      this.error(e.id, 'select expression has no operand');
      return ERROR;
    }
    const operandType = substitute(this.mappings, this.check(sel.operand), false);
    let result: CelT;
    switch (operandType.kind) {
      case 'map':
        result = operandType.params[1] as CelT;
        break;
      case 'struct':
        // The only object type is OpenFGA's IPAddress, which exposes no fields.
        this.error(e.id, `undefined field '${sel.field}'`);
        result = ERROR;
        break;
      case 'typeParam':
        this.isAssignable(DYN, operandType);
        result = DYN;
        break;
      default:
        if (!isDynOrError(operandType)) {
          this.error(e.id, `type '${formatType(operandType)}' does not support field selection`);
        }
        result = DYN;
    }
    if (sel.testOnly) return BOOL;
    return substitute(this.mappings, result, false);
  }

  private checkCall(e: Expr, call: KindValue<'callExpr'>): CelT {
    const argTypes: CelT[] = [];
    if (call.target !== undefined) argTypes.push(this.check(call.target));
    for (const arg of call.args) argTypes.push(this.check(arg));
    const fn = FUNCTION_DECLS.get(call.function);
    if (fn === undefined) {
      this.error(e.id, `undeclared reference to '${call.function}' (in container '')`);
      return ERROR;
    }
    return this.resolveOverload(e, fn, call.target !== undefined, argTypes, call.args);
  }

  private resolveOverload(e: Expr, fn: FunctionDecl, isMember: boolean, argTypes: CelT[], args: readonly Expr[]): CelT {
    let result: CelT | undefined;
    for (const decl of fn.overloads) {
      if (DISABLED_OVERLOADS.has(decl.id) || decl.member !== isMember) continue;
      if (fn.name === '_&&_' || fn.name === '_||_') {
        let failed = false;
        argTypes.forEach((argType, i) => {
          if (!this.isAssignable(argType, BOOL)) {
            this.error((args[i] as Expr).id, `expected type 'bool' but found '${formatType(argType)}'`);
            failed = true;
          }
        });
        return failed ? ERROR : BOOL;
      }
      let signature = functionType(decl.result, decl.args);
      if (decl.typeParams.length > 0) {
        const fresh: Mapping = new Map();
        for (const name of decl.typeParams) fresh.set(name, typeParam(`_var${this.counter++}`));
        signature = substitute(fresh, signature, false);
      }
      if (this.isAssignableList(argTypes, signature.params.slice(1))) {
        const candidate = substitute(this.mappings, signature.params[0] as CelT, false);
        if (result === undefined) result = candidate;
        else if (!isDyn(result) && !isExactType(candidate, result)) result = DYN;
      }
    }
    if (result === undefined) {
      const shown = argTypes.map((a) => formatType(substitute(this.mappings, a, true)));
      const signature = isMember ? `${shown[0]}.(${shown.slice(1).join(', ')})` : `(${shown.join(', ')})`;
      this.error(e.id, `found no matching overload for '${fn.name}' applied to '${signature}'`);
      return ERROR;
    }
    return result;
  }

  private checkList(list: KindValue<'listExpr'>): CelT {
    let elem: CelT | undefined;
    for (const item of list.elements) elem = this.join(elem, this.check(item));
    return listOf(elem ?? this.freshVar());
  }

  private checkStruct(e: Expr, struct: KindValue<'structExpr'>): CelT {
    if (struct.messageName !== '') {
      // OpenFGA declares no message types a condition could construct.
      for (const entry of struct.entries) if (entry.value) this.check(entry.value);
      this.error(e.id, `undeclared reference to '${struct.messageName}' (in container '')`);
      return ERROR;
    }
    let key: CelT | undefined;
    let value: CelT | undefined;
    for (const entry of struct.entries) {
      if (entry.keyKind.case === 'mapKey') key = this.join(key, this.check(entry.keyKind.value));
      if (entry.value !== undefined) value = this.join(value, this.check(entry.value));
    }
    if (key === undefined || value === undefined) return mapOf(this.freshVar(), this.freshVar());
    return mapOf(key, value);
  }

  private checkComprehension(comp: KindValue<'comprehensionExpr'>): CelT {
    const { iterRange, accuInit, loopCondition, loopStep, result } = comp;
    if (!iterRange || !accuInit || !loopCondition || !loopStep || !result) return ERROR;
    const rangeType = substitute(this.mappings, this.check(iterRange), false);
    const accuType = this.check(accuInit);
    this.scopes.push(new Map([[comp.accuVar, accuType]]));
    let varType: CelT;
    switch (rangeType.kind) {
      case 'list':
      case 'map':
        varType = rangeType.params[0] as CelT;
        break;
      case 'dyn':
      case 'error':
      case 'typeParam':
        this.isAssignable(DYN, rangeType);
        varType = DYN;
        break;
      default:
        this.error(
          iterRange.id,
          `expression of type '${formatType(rangeType)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
        );
        varType = ERROR;
    }
    this.scopes.push(new Map([[comp.iterVar, varType]]));
    this.assertType(loopCondition, this.check(loopCondition), BOOL);
    this.assertType(loopStep, this.check(loopStep), accuType);
    this.scopes.pop();
    const out = substitute(this.mappings, this.check(result), false);
    this.scopes.pop();
    return out;
  }

  private join(previous: CelT | undefined, current: CelT): CelT {
    if (previous === undefined) return current;
    // cel-go's default (no HomogeneousAggregateLiterals): mixed literals widen to DYN.
    if (this.isAssignable(previous, current)) return mostGeneral(previous, current);
    return DYN;
  }

  private assertType(e: Expr, actual: CelT, expected: CelT): void {
    if (!this.isAssignable(expected, actual)) {
      this.error(e.id, `expected type '${formatType(expected)}' but found '${formatType(actual)}'`);
    }
  }

  private freshVar(): CelT {
    return typeParam(`_var${this.counter++}`);
  }

  private isAssignable(t1: CelT, t2: CelT): boolean {
    const copy = new Map(this.mappings);
    if (!internalIsAssignable(copy, t1, t2)) return false;
    this.mappings = copy;
    return true;
  }

  private isAssignableList(l1: readonly CelT[], l2: readonly CelT[]): boolean {
    const copy = new Map(this.mappings);
    if (!internalIsAssignableList(copy, l1, l2)) return false;
    this.mappings = copy;
    return true;
  }

  private error(exprId: bigint, message: string): void {
    this.issues.push({ exprId, message });
  }
}

/** `a.b.c` as `['a', 'b', 'c']` when the select chain ends in an identifier. */
function qualifiedName(e: Expr): string[] | undefined {
  const parts: string[] = [];
  let cur: Expr | undefined = e;
  while (cur !== undefined && cur.exprKind.case === 'selectExpr') {
    if (cur.exprKind.value.testOnly) return undefined;
    parts.push(cur.exprKind.value.field);
    cur = cur.exprKind.value.operand;
  }
  if (cur === undefined || cur.exprKind.case !== 'identExpr') return undefined;
  parts.push(cur.exprKind.value.name);
  return parts.reverse();
}

function isEqualOrLessSpecific(t1: CelT, t2: CelT): boolean {
  if (isDyn(t1) || t1.kind === 'typeParam') return true;
  if (isDyn(t2) || t2.kind === 'typeParam') return false;
  if (t1.kind !== t2.kind) return false;
  switch (t1.kind) {
    case 'opaque':
      if (t1.name !== t2.name || t1.params.length !== t2.params.length) return false;
      return t1.params.every((p, i) => isEqualOrLessSpecific(p, t2.params[i] as CelT));
    case 'list':
      return isEqualOrLessSpecific(t1.params[0] as CelT, t2.params[0] as CelT);
    case 'map':
      return (
        isEqualOrLessSpecific(t1.params[0] as CelT, t2.params[0] as CelT) &&
        isEqualOrLessSpecific(t1.params[1] as CelT, t2.params[1] as CelT)
      );
    case 'type':
      return true;
    default:
      return isExactType(t1, t2);
  }
}

function mostGeneral(t1: CelT, t2: CelT): CelT {
  return isEqualOrLessSpecific(t1, t2) ? t1 : t2;
}

function internalIsAssignable(m: Mapping, t1: CelT, t2: CelT): boolean {
  if (t2.kind === 'typeParam') {
    const [valid, hasSub] = isValidTypeSubstitution(m, t1, t2);
    if (valid) return true;
    if (hasSub) return false;
  }
  if (t1.kind === 'typeParam') return isValidTypeSubstitution(m, t2, t1)[0];
  if (isDynOrError(t1) || isDynOrError(t2)) return true;
  if (t1.kind === 'null') return isAssignableNull(t2);
  if (t2.kind === 'null') return isAssignableNull(t1);
  switch (t1.kind) {
    case 'bool':
    case 'bytes':
    case 'double':
    case 'int':
    case 'string':
    case 'uint':
    case 'duration':
    case 'timestamp':
    case 'struct':
      return isAssignableType(t2, t1);
    case 'type':
      return t2.kind === 'type';
    case 'opaque':
    case 'list':
    case 'map':
      return t1.kind === t2.kind && t1.name === t2.name && internalIsAssignableList(m, t1.params, t2.params);
    default:
      return false;
  }
}

function isAssignableNull(x: CelT): boolean {
  switch (x.kind) {
    case 'opaque':
    case 'struct':
    case 'any':
    case 'duration':
    case 'timestamp':
      return true;
    default:
      return isAssignableType(x, NULL);
  }
}

function isValidTypeSubstitution(m: Mapping, t1: CelT, t2: CelT): [valid: boolean, hasSub: boolean] {
  if (t1.kind === t2.kind && isExactType(t1, t2)) return [true, true];
  const t2Sub = m.get(t2.name);
  if (t2Sub !== undefined) {
    if (t1.kind === t2Sub.kind && isExactType(t1, t2Sub)) return [true, true];
    if (internalIsAssignable(m, t1, t2Sub)) {
      const widened = mostGeneral(t1, t2Sub);
      if (notReferencedIn(m, t2, widened)) m.set(t2.name, widened);
      return [true, true];
    }
    return [false, true];
  }
  if (notReferencedIn(m, t2, t1)) {
    m.set(t2.name, t1);
    return [true, false];
  }
  return [false, false];
}

function internalIsAssignableList(m: Mapping, l1: readonly CelT[], l2: readonly CelT[]): boolean {
  if (l1.length !== l2.length) return false;
  for (let i = 0; i < l1.length; i++) {
    if (!internalIsAssignable(m, l1[i] as CelT, l2[i] as CelT)) return false;
  }
  return true;
}

/** The "occurs check" of unification. */
function notReferencedIn(m: Mapping, x: CelT, within: CelT): boolean {
  if (isExactType(x, within)) return false;
  switch (within.kind) {
    case 'typeParam': {
      const sub = m.get(within.name);
      return sub === undefined ? true : notReferencedIn(m, x, sub);
    }
    case 'opaque':
    case 'list':
    case 'map':
    case 'type':
      return within.params.every((p) => notReferencedIn(m, x, p));
    default:
      return true;
  }
}

/** Replaces bound type parameters; unbound ones become DYN when `paramToDyn`. */
function substitute(m: Mapping, x: CelT, paramToDyn: boolean): CelT {
  if (x.kind === 'typeParam') {
    const sub = m.get(x.name);
    if (sub !== undefined) return substitute(m, sub, paramToDyn);
    return paramToDyn ? DYN : x;
  }
  if (x.params.length === 0) return x;
  return { kind: x.kind, name: x.name, params: x.params.map((p) => substitute(m, p, paramToDyn)) };
}
