/**
 * `@gatehouse/express`: Express 5 middleware, `req.authz` helpers and a standard `@RequirePermission`
 * decorator over a local Gatehouse authorizer.
 *
 * @packageDocumentation
 */
export { gatehouse, requirePermission, param, query, body, guardRequest, optionsOf } from './requirePermission';
export type { AuthzHelpers, GatehouseExpressOptions, ObjectResolver, Register, RegisteredSchema } from './requirePermission';
export { RequirePermission, Route, mountController } from './controller';
export type { RouteMethod } from './controller';
