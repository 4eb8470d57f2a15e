/**
 * `@gatehouse/next`: Gatehouse for the Next.js App Router (15.1+, 16): `createGatehouse()` for
 * server components (`can`, `assert`), server actions and route handlers (`withPermission`), and
 * the decisions `@gatehouse/react` renders from. The Edge middleware guard is
 * `@gatehouse/next/middleware`.
 *
 * @packageDocumentation
 */
export { createGatehouse } from './createGatehouse';
export type {
  AssertOptions,
  CheckOptions,
  Gatehouse,
  GatehouseNextOptions,
  ObjectArg,
  PermissionGrant,
  Register,
  RegisteredSchema,
  RelationArg,
  RouteObject,
} from './createGatehouse';
export { PermissionError } from './PermissionError';
export type { PermissionErrorReason } from './PermissionError';
export type { DecisionCheck, DecisionList, DecisionQuery, DecisionSet } from '@gatehouse/core/http';
