/**
 * A filter pool's worker thread: one engine, fed batches by the pool (filter-pool.ts) over the
 * protocol in protocol.ts. Messages are handled strictly one after another, in the order they were
 * posted, which is what makes a swap land at the same batch boundary in every worker.
 */
import { parentPort } from "node:worker_threads";
import { Engine } from "../engine/engine.js";
import { routedPolicies } from "../engine/encode-account-routes.js";
import type { EngineLimits } from "../types.js";
import type { FromWorker, PoolConfig, ToWorker } from "./protocol.js";

const port = parentPort;
if (port === null) throw new Error("hipaa-sieve: src/pool/worker.js runs as a worker thread of a filter pool only");

let module: WebAssembly.Module | undefined;
let limits: Required<EngineLimits> | undefined;
let engine: Engine | undefined;

function build(config: PoolConfig): Promise<Engine> {
  const options = { ...limits, module };
  return config.kind === "policy"
    ? Engine.create([config.policy], options)
    : Engine.create(routedPolicies(config.routing), options, config.routing);
}

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case "init":
      module = message.module;
      limits = message.limits;
      engine = await build(message.config);
      send({ type: "ready" });
      return;
    case "swap":
      engine = await build(message.config);
      send({ type: "swapped", generation: message.generation });
      return;
    case "batch": {
      let result;
      try {
        result = engine!.runBatch(0, message.bytes);
      } catch (error) {
        // The engine's messages name sizes and limits, never content (engine.ts).
        const e = error instanceof Error ? error : new Error("unknown failure");
        send({ type: "failed", id: message.id, name: e.name, message: e.message });
        return;
      }
      // The output is a fresh buffer of its own (engine.ts copies it out of WASM memory): move it. The
      // input goes back too, to be dropped there: garbage left in a worker's small heap waits long for
      // a collection (measured: peak RSS kept growing with the input's size), the main thread's does not.
      send({ type: "result", id: message.id, result, input: message.bytes }, [result.output.buffer as ArrayBuffer, message.bytes.buffer as ArrayBuffer]);
      return;
    }
  }
}

let queue: Promise<void> = Promise.resolve();
port.on("message", (message: ToWorker) => {
  queue = queue.then(() => handle(message)).catch((error: unknown) => {
    // An engine that cannot be built leaves this worker unable to filter: the pool fails closed.
    const why = error instanceof Error ? error.message : "unknown failure";
    send({ type: "broken", message: why });
  });
});
