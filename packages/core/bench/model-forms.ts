/**
 * The bench keeps the model twice, as DSL and as JSON; this asserts Gatehouse's DSL parser turns
 * one into the other, so the engine benchmarked from JSON is the model the DSL describes.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { parseDSL } from '../src/dsl/index';
import { MODEL_DSL, MODEL_JSON } from './workload';

/** Throws when the DSL and JSON forms of the bench model differ. */
export function checkModelForms(): void {
  deepStrictEqual(JSON.parse(JSON.stringify(parseDSL(MODEL_DSL))), JSON.parse(JSON.stringify(MODEL_JSON)), 'the bench model: MODEL_DSL and MODEL_JSON differ');
}
