/**
 * The one interface the harness times. The engine plugs in through a small adapter
 * (`engine-adapter.ts`); the baseline implements it directly.
 */
import type { Workload } from './workload';

/** A loaded evaluator: synchronous, uncached checks and listObjects. */
export interface BenchEvaluator {
  /** Shown in the results. */
  readonly name: string;
  /** Whether `user` has `relation` on `object` (`user:u1`, `viewer`, `track:t9`). */
  check(user: string, relation: string, object: string): boolean;
  /** Every object of `type` on which `user` has `relation`, complete and without duplicates. */
  listObjects(user: string, relation: string, type: string): readonly string[];
}

/** Builds an evaluator from a workload: everything timed as "build" (compile, load, index). */
export type EvaluatorFactory = (workload: Workload) => BenchEvaluator;
