import * as z from 'zod';
import type { Diagnostic, DiagnosticCode } from '../errors/index';
import type { SafeResult } from '../errors/index';
import type {
  AuthorizationModel,
  Condition,
  ConditionMetadata,
  ConditionParamTypeName,
  ConditionParamTypeRef,
  Difference,
  ObjectRelation,
  RelationMetadata,
  RelationReference,
  SourceInfo,
  TupleToUserset,
  TypeDefinition,
  TypeMetadata,
  Userset,
  Usersets,
} from './types';

/** The schema versions Gatehouse accepts: OpenFGA's `1.1`, and `1.2` for modular models. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly string[] = ['1.1', '1.2'];

/**
 * The diagnostic for a missing or unsupported `schema_version`, worded as OpenFGA words it, or
 * `undefined` when the version is supported.
 */
export function schemaVersionDiagnostic(version: unknown): Diagnostic | undefined {
  if (version === undefined || version === null || version === '') {
    return {
      code: 'schema-version-required',
      message: 'schema version required',
      severity: 'error',
      path: ['schema_version'],
      symbol: '',
    };
  }
  if (typeof version === 'string' && SUPPORTED_SCHEMA_VERSIONS.includes(version)) return undefined;
  const symbol = typeof version === 'string' || typeof version === 'number' ? String(version) : '';
  // OpenFGA's exact wording for a string; a non-string gets told why.
  const hint =
    typeof version === 'string' ? '' : ` (schema_version must be a string such as "1.1", got ${describeValue(version)})`;
  return {
    code: 'invalid-schema',
    message: `invalid schema ${symbol}${hint}`,
    severity: 'error',
    path: ['schema_version'],
    symbol,
  };
}

// --- schema pieces -----------------------------------------------------------------------------

// Optional objects may arrive as `null` (protobuf JSON writes unset messages that way); the parsed
// model drops them so consumers only ever see `undefined`.
function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

// A JSON object used as a map keyed by user-chosen names (relations, conditions, parameters).
// zod's record silently drops an own `__proto__` key, which would lose a definition without a
// word, and such a name invites prototype confusion wherever the model is read as plain objects,
// so it is rejected explicitly.
function nameMap<T extends z.ZodType>(value: T) {
  return z
    .unknown()
    .superRefine((raw, ctx) => {
      if (typeof raw === 'object' && raw !== null && Object.prototype.hasOwnProperty.call(raw, '__proto__')) {
        ctx.addIssue({ code: 'custom', message: 'the name `__proto__` is not supported', path: ['__proto__'] });
      }
    })
    .pipe(z.record(z.string(), value));
}

// types.ts is the source of truth: every object schema lists exactly the keys of its type
// (`satisfies ShapeOf<T>` fails to compile on a missing or an extra key), and every schema is
// annotated with the type it must produce.
type KeysOf<T> = T extends unknown ? keyof T : never;
type ShapeOf<T> = { readonly [K in KeysOf<T>]-?: z.ZodType };
// Fails to compile unless the list names every member of the union.
type Exhaustive<Union, Listed extends Union> = [Exclude<Union, Listed>] extends [never] ? true : never;

const emptyObject = z.strictObject({});

const sourceInfoSchema: z.ZodType<SourceInfo> = z.strictObject({ file: z.string().optional() } satisfies ShapeOf<SourceInfo>);

const relationReferenceSchema: z.ZodType<RelationReference> = z
  .strictObject({
    type: z.string().min(1, { error: '`type` must not be empty' }),
    relation: z.string().optional(),
    wildcard: emptyObject.optional(),
    condition: z.string().optional(),
  } satisfies ShapeOf<RelationReference>)
  // Protobuf JSON may spell "no condition" as an empty string; consumers test presence, so empty
  // strings are dropped rather than passed on.
  .transform((ref): RelationReference => {
    const out: { type: string; relation?: string; wildcard?: Record<string, never>; condition?: string } = {
      type: ref.type,
    };
    if (ref.relation) out.relation = ref.relation;
    if (ref.wildcard) out.wildcard = {};
    if (ref.condition) out.condition = ref.condition;
    return out;
  });

const relationMetadataSchema: z.ZodType<RelationMetadata> = z.strictObject({
  directly_related_user_types: optional(z.array(relationReferenceSchema)),
  module: z.string().optional(),
  source_info: optional(sourceInfoSchema),
} satisfies ShapeOf<RelationMetadata>);

const typeMetadataSchema: z.ZodType<TypeMetadata> = z.strictObject({
  relations: nameMap(relationMetadataSchema).nullish(),
  module: z.string().optional(),
  source_info: optional(sourceInfoSchema),
} satisfies ShapeOf<TypeMetadata>);

const relationName = (field: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `missing \`${field}\`` : `\`${field}\` must be a string`) }).min(1, {
    error: `\`${field}\` must name a relation`,
  });

const computedUsersetSchema: z.ZodType<ObjectRelation> = z.strictObject({
  object: z.string().optional(),
  relation: relationName('relation'),
} satisfies ShapeOf<ObjectRelation>);

const tupleToUsersetSchema: z.ZodType<TupleToUserset> = z.strictObject({
  tupleset: computedUsersetSchema,
  computedUserset: computedUsersetSchema,
} satisfies ShapeOf<TupleToUserset>);

const REWRITE_KEYS = ['this', 'computedUserset', 'tupleToUserset', 'union', 'intersection', 'difference'] as const;
const REWRITE_KEY_SET: ReadonlySet<string> = new Set(REWRITE_KEYS);
const REWRITE_LIST = REWRITE_KEYS.map((k) => `\`${k}\``).join(', ');

// A rewrite is a protobuf oneof: exactly one key. zod's object schemas cannot say "exactly one", so
// the keys are optional here and the transform enforces the rule and builds the narrowed union
// member, which also drops any keys set to null.
const usersetSchema: z.ZodType<Userset> = z
  .looseObject({
    this: emptyObject.nullish(),
    computedUserset: computedUsersetSchema.nullish(),
    tupleToUserset: tupleToUsersetSchema.nullish(),
    get union() {
      return usersetsSchema('union').nullish();
    },
    get intersection() {
      return usersetsSchema('intersection').nullish();
    },
    get difference() {
      return differenceSchema.nullish();
    },
  } satisfies ShapeOf<Userset>)
  .transform((value, ctx): Userset => {
    // Runs for every rewrite node of the model, so it counts keys without allocating.
    let present = 0;
    let unknown = false;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (!REWRITE_KEY_SET.has(key)) {
        unknown = true;
        ctx.issues.push({
          code: 'custom',
          message: `unknown rewrite \`${key}\`${aliasHint(key)}; a rewrite has exactly one of ${REWRITE_LIST}`,
          input: value,
          path: [key],
        });
      } else if (value[key] !== undefined && value[key] !== null) {
        present++;
      }
    }
    if (!unknown && present !== 1) {
      const found = REWRITE_KEYS.filter((key) => value[key] !== undefined && value[key] !== null);
      ctx.issues.push({
        code: 'custom',
        message:
          found.length === 0
            ? `a rewrite needs exactly one of ${REWRITE_LIST}; found none`
            : `a rewrite needs exactly one of ${REWRITE_LIST}; found ${found.map((k) => `\`${k}\``).join(' and ')}`,
        input: value,
      });
    }
    if (unknown || present !== 1) return z.NEVER;
    if (value.this) return { this: {} };
    if (value.computedUserset) return { computedUserset: value.computedUserset };
    if (value.tupleToUserset) return { tupleToUserset: value.tupleToUserset };
    if (value.union) return { union: value.union };
    if (value.intersection) return { intersection: value.intersection };
    if (value.difference) return { difference: value.difference };
    return z.NEVER;
  });

// OpenFGA rejects a union or intersection with fewer than two operands.
function usersetsSchema(operator: 'union' | 'intersection'): z.ZodType<Usersets> {
  return z.strictObject({
    child: z.array(usersetSchema).min(2, { error: `\`${operator}\` needs at least 2 operands in \`child\`` }),
  } satisfies ShapeOf<Usersets>);
}

const differenceSchema: z.ZodType<Difference> = z.strictObject({
  base: usersetSchema,
  subtract: usersetSchema,
} satisfies ShapeOf<Difference>);

const typeDefinitionSchema: z.ZodType<TypeDefinition> = z.strictObject({
  type: z.string(),
  relations: optional(nameMap(usersetSchema)),
  metadata: typeMetadataSchema.nullish(),
} satisfies ShapeOf<TypeDefinition>);

const PARAM_TYPE_NAMES = [
  'TYPE_NAME_UNSPECIFIED',
  'TYPE_NAME_ANY',
  'TYPE_NAME_BOOL',
  'TYPE_NAME_STRING',
  'TYPE_NAME_INT',
  'TYPE_NAME_UINT',
  'TYPE_NAME_DOUBLE',
  'TYPE_NAME_DURATION',
  'TYPE_NAME_TIMESTAMP',
  'TYPE_NAME_MAP',
  'TYPE_NAME_LIST',
  'TYPE_NAME_IPADDRESS',
] as const satisfies readonly ConditionParamTypeName[];
const allParamTypesListed: Exhaustive<ConditionParamTypeName, (typeof PARAM_TYPE_NAMES)[number]> = true;
void allParamTypesListed;

const conditionParamTypeSchema: z.ZodType<ConditionParamTypeRef> = z.strictObject({
  type_name: z.enum(PARAM_TYPE_NAMES),
  get generic_types() {
    return optional(z.array(conditionParamTypeSchema));
  },
} satisfies ShapeOf<ConditionParamTypeRef>);

const conditionMetadataSchema: z.ZodType<ConditionMetadata> = z.strictObject({
  module: z.string().optional(),
  source_info: optional(sourceInfoSchema),
} satisfies ShapeOf<ConditionMetadata>);

const conditionSchema: z.ZodType<Condition> = z.strictObject({
  name: z.string(),
  expression: z.string(),
  parameters: optional(nameMap(conditionParamTypeSchema)),
  metadata: optional(conditionMetadataSchema),
} satisfies ShapeOf<Condition>);

const schemaVersionSchema = z.unknown().transform((value, ctx): string => {
  const problem = schemaVersionDiagnostic(value);
  if (problem || typeof value !== 'string') {
    ctx.issues.push({
      code: 'custom',
      message: problem?.message ?? 'schema version required',
      input: value,
      params: { diagnosticCode: problem?.code ?? 'schema-version-required', symbol: problem?.symbol ?? '' },
    });
    return z.NEVER;
  }
  return value;
});

/**
 * The zod schema of the OpenFGA JSON authorization model ({@link AuthorizationModel}). It checks
 * structure only: shapes, required fields, unknown keys, and that every rewrite has exactly one
 * operator. Semantic rules (undefined relations, entry points...) are `validateModel`'s job.
 *
 * `null` for an optional object and a missing `type_definitions` are accepted, as OpenFGA's own
 * tools write them; the parsed value normalises them away.
 */
export const authorizationModelSchema: z.ZodType<AuthorizationModel> = z.strictObject({
  id: z.string().optional(),
  schema_version: schemaVersionSchema,
  type_definitions: z
    .array(typeDefinitionSchema)
    .nullish()
    .transform((value) => value ?? []),
  conditions: optional(nameMap(conditionSchema)),
} satisfies ShapeOf<AuthorizationModel>);

// --- zod issues → diagnostics ------------------------------------------------------------------

const SCHEMA_CODES: ReadonlySet<DiagnosticCode> = new Set(['schema-version-required', 'invalid-schema']);

/**
 * Checks the structure of an OpenFGA JSON model, given as an object or a JSON string. On failure,
 * every structural problem becomes a {@link Diagnostic} with a JSON `path`: code `invalid-json`,
 * or OpenFGA's `schema-version-required` / `invalid-schema` for the schema version. A missing or
 * unsupported schema version is reported alone, since the rest of the document cannot be read
 * without knowing its schema.
 *
 * @example
 * const result = parseModelStructure('{"schema_version":"1.1","type_definitions":[{"type":"user"}]}');
 * if (result.ok) console.log(result.value.type_definitions.length); // 1
 */
export function parseModelStructure(input: unknown): SafeResult<AuthorizationModel> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      const looksLikeDsl = /^\s*(model|type|module|extend|condition)\b/.test(input);
      const reason = error instanceof Error ? error.message : String(error);
      return failure([
        {
          code: 'invalid-json',
          message: looksLikeDsl
            ? 'the model is not JSON: it looks like the OpenFGA DSL, which the DSL parser (`@gatehouse/core/dsl`) reads'
            : `the model is not valid JSON: ${reason}`,
          severity: 'error',
          path: [],
        },
      ]);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failure([
      {
        code: 'invalid-json',
        message: `an authorization model must be a JSON object, got ${describeValue(value)}`,
        severity: 'error',
        path: [],
      },
    ]);
  }
  if (!('schema_version' in value) && 'authorization_model' in value) {
    return failure([
      {
        code: 'schema-version-required',
        message: 'schema version required (this looks like an API response: pass its `authorization_model` value)',
        severity: 'error',
        path: ['schema_version'],
        symbol: '',
      },
    ]);
  }
  let result: ReturnType<typeof authorizationModelSchema.safeParse>;
  try {
    result = authorizationModelSchema.safeParse(value, { reportInput: true });
  } catch (error) {
    // Rewrites nested thousands deep exhaust the stack; that is a malformed model, not a crash.
    if (error instanceof RangeError) return failure([tooDeep()]);
    throw error;
  }
  if (result.success) return { ok: true, value: result.data, warnings: [] };
  const diagnostics = result.error.issues.flatMap(issueToDiagnostics);
  const schemaProblems = diagnostics.filter((d) => SCHEMA_CODES.has(d.code));
  return failure(schemaProblems.length > 0 ? schemaProblems : diagnostics);
}

/** The diagnostic for a model nested too deeply to walk (thousands of levels of rewrites). */
export function tooDeep(): Diagnostic {
  return { code: 'invalid-json', message: 'the model is nested too deeply to read', severity: 'error', path: [] };
}

function failure(diagnostics: readonly Diagnostic[]): SafeResult<AuthorizationModel> {
  return { ok: false, diagnostics };
}

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

function issueToDiagnostics(issue: Issue): Diagnostic[] {
  const path: Path = issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
  const last = path[path.length - 1];
  const field = describeField(path);
  const diagnostic = (message: string, at: Path = path, code: DiagnosticCode = 'invalid-json'): Diagnostic => ({
    code,
    message,
    severity: 'error',
    path: at,
  });

  switch (issue.code) {
    case 'invalid_type':
      if (last === 'schema_version') {
        const problem = schemaVersionDiagnostic(issue.input);
        if (problem) return [problem];
      }
      if (issue.input === undefined) return [diagnostic(`missing required field ${field}`)];
      return [diagnostic(`${field} must be ${expectedText(issue.expected)}, got ${describeValue(issue.input)}`)];
    case 'unrecognized_keys':
      return issue.keys.map((key) => diagnostic(`unknown field \`${key}\`${aliasHint(key)}`, [...path, key]));
    case 'invalid_value':
      return [
        diagnostic(
          `${field} must be one of ${issue.values.map((v) => String(v)).join(', ')}, got ${describeValue(issue.input)}`,
        ),
      ];
    case 'custom': {
      const params: Record<string, unknown> = issue.params ?? {};
      const code = params['diagnosticCode'];
      if (code === 'schema-version-required' || code === 'invalid-schema') {
        const symbol = typeof params['symbol'] === 'string' ? params['symbol'] : '';
        return [{ ...diagnostic(issue.message, path, code), symbol }];
      }
      return [diagnostic(issue.message)];
    }
    default:
      return [diagnostic(issue.message)];
  }
}

function describeField(path: Path): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the model';
  if (typeof last === 'number') {
    const owner = path[path.length - 2];
    return owner === undefined ? `entry ${last}` : `entry ${last} of \`${String(owner)}\``;
  }
  return `\`${last}\``;
}

function expectedText(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

// The OpenFGA API's protobuf JSON accepts proto field names too; Gatehouse reads the documented
// JSON names only, so point at them rather than just rejecting the key.
const ALIASES: Readonly<Record<string, string>> = {
  computed_userset: 'computedUserset',
  tuple_to_userset: 'tupleToUserset',
  schemaVersion: 'schema_version',
  typeDefinitions: 'type_definitions',
  directlyRelatedUserTypes: 'directly_related_user_types',
  sourceInfo: 'source_info',
  typeName: 'type_name',
  genericTypes: 'generic_types',
};

function aliasHint(key: string): string {
  const alias = Object.prototype.hasOwnProperty.call(ALIASES, key) ? ALIASES[key] : undefined;
  return alias ? ` (did you mean \`${alias}\`?)` : '';
}
