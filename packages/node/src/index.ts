/**
 * `@gatehouse/node`: Gatehouse for Node.js. A {@link FileSource} that loads a bundle or an OpenFGA
 * store file and reloads it on change, and the bundle server ({@link createBundleHandler}) that
 * `HttpBundleSource` clients sync from.
 *
 * @packageDocumentation
 */
export { SourceBundleProvider } from './BundleProvider';
export type { BundleProvider, EncodedBundle, EncodedChanges, SourceBundleProviderOptions } from './BundleProvider';
export { createBundleFetchHandler, createBundleHandler } from './bundleHandler';
export type { BundleHandlerOptions, NodeBundleHandler } from './bundleHandler';
export { FileSource } from './FileSource';
export type { FileSourceOptions } from './FileSource';
export { UnstableReadError, hashModelId, loadPolicyFile, loadTupleFile } from './policyFiles';
export type { LoadedPolicy } from './policyFiles';
