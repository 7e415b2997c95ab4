// The engine's exports: the whole WASM/host boundary. Addresses and lengths only; one call per
// batch of events.
export { reserveTables, loadTables, policyTotal } from "./tables";
export { reserveInput } from "./buffers";
export { setMaxDepth } from "./filter";
export { setHashSeed } from "./scan";
export {
  setMaxEventBytes, filterBatch, filterOne, outputAddress, outputLength, statusAddress,
  batchLines, lastErrorOffset, lastAccount, lastEventRoute,
} from "./batch";
export { reserveRoutes, loadRoutes } from "./route";
