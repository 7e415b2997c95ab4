// The engine's exports: the whole WASM/host boundary. Addresses and lengths only; one call per
// batch of events (or per STATUS_CAPACITY events of it). Every number the host must agree on is
// exported from abi.ts as a global, and read from there by the host.
export * from "./abi";
export { reserveTables, loadTables, policyTotal } from "./policy-tables";
export { reserveInput, reserveProblem } from "./buffers";
export { setMaxDepth, setMaxEventBytes } from "./limits";
export { setHashSeed } from "./scan";
export {
  filterBatch, filterOne, outputAddress, outputLength, statusAddress,
  batchLines, batchStop, lastErrorOffset, lastAccount, lastEventRoute, lastDetail, touchedCount, countersAddress, touchedAddress,
} from "./batch";
export { reserveRoutes, loadRoutes } from "./account-routes";
