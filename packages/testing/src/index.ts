/**
 * Private test kit for Gatehouse packages: the contract suite every snapshot source passes.
 *
 * @packageDocumentation
 */
export { CONTRACT_MODEL, CONTRACT_MODEL_V2, CONTRACT_TUPLES, describeSourceContract } from './sourceContract';
export type { SourceChange, SourceContractOptions, SourceHarness, SourceSeed } from './sourceContract';
