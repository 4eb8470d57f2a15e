import type { CelInput, CelResult } from '@bufbuild/cel';
import { isCelError, parse, plan } from '@bufbuild/cel';
import type { Diagnostic } from '../errors/diagnostics';
import { GatehouseError } from '../errors/GatehouseError';
import { ModelValidationError } from '../errors/ModelValidationError';
import type { AuthorizationModel, Condition, ConditionParamTypeRef } from '../model/types';
import type { CelT } from './celTypes';
import { BOOL, formatType, isExactType } from './celTypes';
import type { CheckIssue, ParsedExpr } from './checkExpression';
import { checkExpression } from './checkExpression';
import { TYPE_IDENTS } from './declarations';
import type { ParamType } from './paramTypes';
import { ParamConversionError, decodeParamType } from './paramTypes';
import { conditionEnv } from './runtime';
import type { ConditionResult, ConditionSet } from './types';

type ConditionContext = Readonly<Record<string, unknown>>;

type Program = (bindings: Record<string, CelInput>) => CelResult;

interface Param {
  readonly name: string;
  readonly type: ParamType;
}

interface CompiledCondition {
  readonly name: string;
  readonly params: readonly Param[];
  readonly paramNames: ReadonlySet<string>;
  readonly program: Program;
  /** Reused for every evaluation: evaluation is synchronous and never re-entrant. */
  readonly bindings: Record<string, CelInput>;
}

const MET: ConditionResult = Object.freeze({ met: true });
const NOT_MET: ConditionResult = Object.freeze({ met: false });
const hasOwn = Object.prototype.hasOwnProperty;

type Conditions = AuthorizationModel['conditions'];

function invalid(key: string, path: readonly (string | number)[], message: string): Diagnostic {
  return { code: 'invalid-condition', severity: 'error', message, condition: key, path: ['conditions', key, ...path] };
}

/** 1-based line and column of a character offset, for messages. */
function lineColumn(text: string, at: number): string {
  // The parser may record an operator's position at the whitespace before it.
  let offset = at;
  while (offset < text.length && /\s/.test(text[offset] as string)) offset++;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}

function issueMessage(key: string, expression: string, parsed: ParsedExpr, issue: CheckIssue): string {
  const offset = parsed.sourceInfo?.positions[issue.exprId.toString()];
  const where = offset === undefined ? key : `${key}:${lineColumn(expression, offset)}`;
  return `${where}: ${issue.message}`;
}

/** Compiles one condition, or returns every problem found in it. */
function compileCondition(
  key: string,
  condition: Condition,
): { readonly compiled: CompiledCondition } | { readonly diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (typeof condition !== 'object' || condition === null) {
    return { diagnostics: [invalid(key, [], `condition '${key}' must be an object`)] };
  }
  if (condition.name !== key) {
    diagnostics.push(
      invalid(key, ['name'], `condition key '${key}' does not match condition name '${String(condition.name)}'`),
    );
  }
  const params: Param[] = [];
  const variables = new Map<string, CelT>();
  const declared: Readonly<Record<string, ConditionParamTypeRef>> =
    typeof condition.parameters === 'object' && condition.parameters !== null ? condition.parameters : {};
  for (const name of Object.keys(declared)) {
    try {
      const type = decodeParamType(declared[name] as ConditionParamTypeRef);
      if (TYPE_IDENTS.has(name)) {
        // cel-go refuses a variable that shadows a standard type identifier.
        diagnostics.push(invalid(key, ['parameters', name], `overlapping identifier for name '${name}'`));
        continue;
      }
      params.push({ name, type });
      variables.set(name, type.cel);
    } catch (err) {
      const reason = err instanceof ParamConversionError ? err.message : String(err);
      diagnostics.push(
        invalid(key, ['parameters', name], `failed to decode parameter type for parameter '${name}': ${reason}`),
      );
    }
  }
  const expression = typeof condition.expression === 'string' ? condition.expression : '';
  let parsed: ParsedExpr;
  try {
    parsed = parse(expression);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/^<input>/, key);
    diagnostics.push(invalid(key, ['expression'], `invalid CEL expression in condition '${key}': ${reason}`));
    return { diagnostics };
  }
  if (diagnostics.length > 0) return { diagnostics };
  let checked: ReturnType<typeof checkExpression>;
  try {
    checked = checkExpression(parsed.expr, variables);
  } catch (err) {
    // Only an absurdly deep expression gets here (the checker recurses per node).
    const reason = err instanceof Error ? err.message : String(err);
    return { diagnostics: [invalid(key, ['expression'], `condition '${key}' cannot be type-checked: ${reason}`)] };
  }
  if (!checked.ok) {
    for (const issue of checked.issues) {
      diagnostics.push(
        invalid(
          key,
          ['expression'],
          `invalid CEL expression in condition '${key}': ${issueMessage(key, expression, parsed, issue)}`,
        ),
      );
    }
    return { diagnostics };
  }
  if (!isExactType(checked.outputType, BOOL)) {
    diagnostics.push(
      invalid(
        key,
        ['expression'],
        `condition '${key}' must evaluate to a bool, but its expression has type '${formatType(checked.outputType)}'`,
      ),
    );
    return { diagnostics };
  }
  let program: Program;
  try {
    program = plan(conditionEnv(), parsed);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { diagnostics: [invalid(key, ['expression'], `condition '${key}' cannot be planned: ${reason}`)] };
  }
  return {
    compiled: {
      name: key,
      params,
      paramNames: new Set(params.map((p) => p.name)),
      program,
      bindings: Object.create(null) as Record<string, CelInput>,
    },
  };
}

function conditionEntries(conditions: Conditions): [string, Condition][] {
  if (typeof conditions !== 'object' || conditions === null) return [];
  return Object.entries(conditions);
}

/**
 * Every compile problem of a model's conditions, as data: a condition whose key differs from
 * its name, an unknown or malformed parameter type, a CEL syntax or type error, an expression
 * that is not a `bool`. All diagnostics have code `invalid-condition`, the condition's name in
 * `condition` and a JSON `path` into the model.
 *
 * @param model - The model (only `conditions` is read).
 * @returns The diagnostics; empty when every condition compiles.
 * @see {@link compileConditions}
 */
export function diagnoseConditions(model: { readonly conditions?: Conditions }): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [key, condition] of conditionEntries(model.conditions)) {
    const result = compileCondition(key, condition);
    if ('diagnostics' in result) diagnostics.push(...result.diagnostics);
  }
  return diagnostics;
}

/**
 * Compiles every condition of a model once (parse, type-check against the declared parameters,
 * plan) and returns a {@link ConditionSet} that evaluates them synchronously.
 *
 * @param conditions - The model's `conditions` (may be undefined: an empty set).
 * @returns The compiled set.
 * @throws ModelValidationError (`invalid_authorization_model`) listing every problem
 *   {@link diagnoseConditions} reports.
 * @example
 * ```ts
 * const set = compileConditions({
 *   non_expired: {
 *     name: 'non_expired',
 *     expression: 'current_time < grant_time + grant_duration',
 *     parameters: {
 *       current_time: { type_name: 'TYPE_NAME_TIMESTAMP' },
 *       grant_time: { type_name: 'TYPE_NAME_TIMESTAMP' },
 *       grant_duration: { type_name: 'TYPE_NAME_DURATION' },
 *     },
 *   },
 * });
 * set.evaluate('non_expired', { grant_time: '2024-01-01T00:00:00Z', grant_duration: '1h' },
 *   { current_time: '2024-01-01T00:30:00Z' }); // { met: true }
 * ```
 */
export function compileConditions(conditions: Conditions): ConditionSet {
  const compiled = new Map<string, CompiledCondition>();
  const diagnostics: Diagnostic[] = [];
  for (const [key, condition] of conditionEntries(conditions)) {
    const result = compileCondition(key, condition);
    if ('diagnostics' in result) diagnostics.push(...result.diagnostics);
    else compiled.set(key, result.compiled);
  }
  if (diagnostics.length > 0) throw new ModelValidationError(diagnostics);
  return new CompiledConditionSet(compiled);
}

function evaluationError(name: string, detail: string, cause?: unknown): GatehouseError {
  return new GatehouseError(
    'condition_evaluation_error',
    `failed to evaluate relationship condition '${name}': ${detail}`,
    cause === undefined ? {} : { cause },
  );
}

function parameterTypeError(name: string, detail: string, cause?: unknown): GatehouseError {
  return new GatehouseError(
    'condition_evaluation_error',
    `parameter type error on condition '${name}' - ${detail}`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * The error OpenFGA returns when a tuple's condition lacks parameters: build it from a
 * {@link ConditionResult} with `missingParameters` when the engine decides the outcome is an error.
 *
 * @param name - The condition name.
 * @param tuple - The tuple, as `object#relation@user`.
 * @param missingParameters - The parameters without a value.
 */
export function conditionMissingParametersError(
  name: string,
  tuple: string,
  missingParameters: readonly string[],
): GatehouseError {
  return evaluationError(
    name,
    `tuple '${tuple}' is missing context parameters '[${missingParameters.join(' ')}]'`,
  );
}

function hasEntries(context: ConditionContext | undefined): boolean {
  if (context === undefined || context === null) return false;
  for (const key in context) {
    if (hasOwn.call(context, key) && context[key] !== undefined) return true;
  }
  return false;
}

function lookup(context: ConditionContext | undefined, key: string): unknown {
  return context !== undefined && context !== null && hasOwn.call(context, key) ? context[key] : undefined;
}

class CompiledConditionSet implements ConditionSet {
  readonly names: readonly string[];
  readonly #conditions: ReadonlyMap<string, CompiledCondition>;

  constructor(conditions: ReadonlyMap<string, CompiledCondition>) {
    this.#conditions = conditions;
    this.names = Object.freeze([...conditions.keys()]);
  }

  has(name: string): boolean {
    return this.#conditions.has(name);
  }

  evaluate(
    name: string,
    tupleContext: ConditionContext | undefined,
    requestContext: ConditionContext | undefined,
  ): ConditionResult {
    const condition = this.#conditions.get(name);
    if (condition === undefined) throw evaluationError(name, 'condition was not found');
    const { params, bindings } = condition;
    if (params.length === 0) {
      if (hasEntries(tupleContext) || hasEntries(requestContext)) {
        throw parameterTypeError(name, 'no parameters defined for the condition');
      }
      return run(condition);
    }
    let missing: string[] | undefined;
    for (let i = 0; i < params.length; i++) {
      const param = params[i] as Param;
      let raw = lookup(tupleContext, param.name);
      if (raw === undefined) raw = lookup(requestContext, param.name);
      if (raw === undefined) {
        (missing ??= []).push(param.name);
        continue;
      }
      try {
        bindings[param.name] = param.type.convert(raw);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        throw parameterTypeError(name, `failed to convert context parameter '${param.name}': ${detail}`, err);
      }
    }
    if (missing !== undefined) return { met: false, missingParameters: missing };
    return run(condition);
  }

  checkTupleContext(name: string, context: ConditionContext | undefined): string | undefined {
    const condition = this.#conditions.get(name);
    if (condition === undefined) return 'undefined condition';
    if (!hasEntries(context)) return undefined;
    if (condition.params.length === 0) {
      return `parameter type error on condition '${name}' - no parameters defined for the condition`;
    }
    for (const param of condition.params) {
      const raw = lookup(context, param.name);
      if (raw === undefined) continue;
      try {
        param.type.convert(raw);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        return `parameter type error on condition '${name}' - failed to convert context parameter '${param.name}': ${detail}`;
      }
    }
    for (const key of Object.keys(context as object)) {
      if (!condition.paramNames.has(key) && (context as ConditionContext)[key] !== undefined) {
        return `found invalid context parameter: ${key}`;
      }
    }
    return undefined;
  }
}

function run(condition: CompiledCondition): ConditionResult {
  const out = condition.program(condition.bindings);
  if (out === true) return MET;
  if (out === false) return NOT_MET;
  if (isCelError(out)) {
    throw evaluationError(condition.name, `failed to evaluate condition expression: ${out.message}`, out);
  }
  throw evaluationError(condition.name, 'the condition expression did not produce a bool');
}
