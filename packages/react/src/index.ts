/**
 * `@gatehouse/react`: `<GatehouseProvider>`, `<Can>` and hooks over the decisions a server
 * computed for the current user. The browser never receives tuples, only answers. Client-only
 * (the built files start with `'use client'`), for Next.js client components and plain React apps.
 *
 * @packageDocumentation
 */
export { GatehouseProvider, useCheck, useDecision, useGatehouse, useObjects } from './GatehouseProvider';
export type { GatehouseContextValue, GatehouseProviderProps } from './GatehouseProvider';
export { Can } from './Can';
export type { CanProps } from './Can';
export { createDecisionStore } from './store';
export type { DecisionStore } from './store';
export type { ObjectArg, Register, RegisteredSchema, RelationArg, TypeArg } from './types';
export type { DecisionCheck, DecisionList, DecisionQuery, DecisionSet } from '@gatehouse/core/http';
