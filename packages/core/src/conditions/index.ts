/**
 * OpenFGA conditions (CEL) for Gatehouse: compile a model's conditions once, evaluate them per
 * tuple synchronously.
 *
 * ## OpenFGA's semantics, which the engine must reproduce
 *
 * Verified against openfga/openfga at the commit the conformance data comes from (da9354f7:
 * internal/condition, internal/condition/eval, internal/validation, internal/graph/check.go,
 * pkg/server/commands) and its assets/tests/abac_tests.yaml.
 *
 * 1. **Compiling (model write).** A condition's key must equal its `name`. Each parameter type
 *    must decode: a known `TYPE_NAME_*`, `list`/`map` with exactly one generic type, every other
 *    type with none (there is no bytes parameter type). The expression is type-checked by cel-go's
 *    standard environment plus OpenFGA's `ipaddress` type (`ipaddress("…")`, `ip.in_cidr("…")`)
 *    and must have type exactly `bool` (`dyn` is rejected). cel-go disables cross-type numeric
 *    comparisons at check time: `x < 1.5` with `x: int` does not compile. A parameter named like
 *    a standard type identifier (`int`, `string`, `list`…) does not compile either.
 *
 * 2. **Which tuples are evaluated.** Tuples read from storage are first filtered against the
 *    current model (`FilterInvalidTuples`): a tuple whose condition is not the one on a matching
 *    type restriction (`[user with cond]`), is not defined, or whose stored context has an
 *    undeclared key or a badly typed value is ignored, not an error
 *    (`prior_conditions_ignored`: a tuple written `with oldcondition` is simply false once the
 *    model says `newcondition`). {@link ConditionSet.checkTupleContext} gives the context part of
 *    that rule (and of write validation, where it is a `validation_error`). Only the tuples a
 *    query actually reads are evaluated: a Check whose user has no conditional tuple on its path
 *    never needs the context.
 *
 * 3. **Evaluating one conditional tuple** (`EvaluateTupleCondition`). The request context is
 *    overlaid with the tuple's context, key by key: the **tuple's value wins**. Only declared
 *    parameters are read; extra keys are ignored, except that a condition declaring no
 *    parameters fails when the merged context is not empty. Every declared parameter present is
 *    converted to its type; a conversion failure is an error even if the expression would not
 *    need that value. Then, if any declared parameter has no value, the tuple is an **error**
 *    ("tuple '…' is missing context parameters '[…]'"), whether or not the expression could have
 *    been decided without it (`direct_relations_with_condition`: `x < 100 || y < 50` with only
 *    `x` is an error in Check). A CEL runtime error (overflow, missing map key, malformed CIDR) is
 *    an error. Otherwise the tuple counts when the expression is true and is dropped when false.
 *    Every such error surfaces as `validation_error` (2000); Gatehouse raises
 *    `condition_evaluation_error` (also 2000). `evaluate` reports missing parameters as data
 *    (`missingParameters`) so the engine can apply the combination rules below;
 *    {@link conditionMissingParametersError} builds OpenFGA's error for them.
 *
 * 4. **Combining errors in Check.** Within one step that reads several tuples (a direct
 *    relation, the usersets or the tupleset of a `from`), any passing tuple wins; an error only
 *    surfaces when none passes. Union: any `true` wins over errors, else an error if any, else
 *    `false`. Intersection: any `false` wins over errors, else an error if any, else `true`.
 *    Exclusion: base `false` or subtract `true` gives `false`; otherwise an error from either side
 *    is the answer; else `true`. From the suite: `relation_through_ttu_with_condition` answers
 *    `true` for `s: "hello"` although the other parent tuple lacks `x`, and 2000 for
 *    `s: "foo"`; `ttu_mix_with_userset_member_condition_mixed_parents` answers `true` for a
 *    malformed timestamp because an unconditional membership also grants access.
 *
 * 5. **ListObjects** returns the objects it found, but fails with 2000 when a condition error
 *    occurred and it had not yet reached its result limit (missing context: 2000). **ListUsers**
 *    fails with 2000 when any condition evaluation errs, even if other users were found
 *    (`relation_through_ttu_with_condition` with only `s` or only `x`). A condition that is
 *    merely false drops its tuple in both.
 *
 * 6. **Value conversion** (OpenFGA's converters, applied to JSON values):
 *    `bool`/`string` need that JSON type. `int`/`uint`/`double` accept a number or a numeric
 *    string (read by Go's `big.ParseFloat` with a 64-bit mantissa): `int` needs an integral
 *    value and saturates at the int64 bounds, `uint` also rejects negatives (and saturates at
 *    2^63-1, as OpenFGA does), `double` rejects strings that are not exactly representable
 *    (`"0.1"` fails, `"0.5"` works) and out-of-range numbers (`1.8e309` is a 2000, as the JSON
 *    request would be). `duration` is a Go duration string (`"10m"`, `"1h30m"`, `"1.5h"`,
 *    `"-300ms"`, `"0"`); `timestamp` an RFC 3339 string as Go's `time.Parse(time.RFC3339)`
 *    accepts it (`Z` or `±hh:mm`, optional fraction; a JS `Date` too); `ipaddress` an IPv4/IPv6 string
 *    (IPv4-mapped IPv6 unmapped, zones allowed but never in a CIDR); `list<T>` an array and
 *    `map<T>` an object (string keys), element by element; `any` any JSON value (numbers become
 *    doubles, objects maps). `null` is a wrong type except for `any`.
 *
 * Gatehouse type-checks with its own port of cel-go's checker (`@bufbuild/cel` 0.6.1 has only a
 * partial one) and evaluates with `@bufbuild/cel`, replacing the standard functions whose
 * behaviour differs from cel-go (Go string conversions and duration/timestamp parsing,
 * `int(duration)` in nanoseconds, `timestamp(int)` in seconds, duration accessors as totals,
 * timestamp accessors independent of the host time zone, strings ordered by code point) and
 * dispatching `+ - < <= > >=` without per-overload type computation. Known remaining
 * differences: timestamps keep no UTC offset (`string(ts)` always ends in `Z`); timestamps
 * outside years 1–9999 are rejected even as parameters; message construction
 * (`google.protobuf.Int64Value{…}`) is rejected.
 *
 * @see docs/guide/conditions.md
 * @module
 */
export { compileConditions, conditionMissingParametersError, diagnoseConditions } from './compileConditions';
export type { ConditionContextOf, ConditionJsonValue, ConditionRefValue, ConditionResult, ConditionSet } from './types';
