// A real 3-node NATS JetStream cluster on 127.0.0.1 for tests and the bench: free ports, storage in a temp
// dir, nodes that can be SIGKILLed and restarted on the same ports and storage. Every process started here
// runs in its own process group and is killed when the cluster is stopped, and also when this process
// exits for any reason (a failed assertion, an uncaught error), so no server outlives its test.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Process groups still alive, killed on exit. Shared with test/support/nats-filter.js. */
export const livingGroups = new Set();
let exitHookInstalled = false;

export function trackGroup(child) {
  livingGroups.add(child.pid);
  child.once("exit", () => livingGroups.delete(child.pid));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    const killAll = () => {
      for (const pid of livingGroups) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    };
    process.on("exit", killAll);
    for (const signal of ["SIGINT", "SIGTERM"]) {
      process.once(signal, () => {
        killAll();
        process.exit(130);
      });
    }
  }
}

export function killGroup(child, signal = "SIGKILL") {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A port nobody listens on now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Is the nats-server binary installed? (`apt-get install -y nats-server`) */
export function natsServerAvailable() {
  return spawnSync("nats-server", ["--version"], { stdio: "ignore" }).status === 0;
}

function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Polls `predicate` every `intervalMs` until it is true; fails after `timeoutMs` with `what`. */
export async function waitFor(predicate, what, timeoutMs = 60_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

class Node {
  constructor(cluster, index, clientPort, routePort) {
    this.cluster = cluster;
    this.index = index;
    this.name = `n${index + 1}`;
    this.clientPort = clientPort;
    this.routePort = routePort;
    this.url = `nats://127.0.0.1:${clientPort}`;
    this.process = undefined;
  }

  /** Loopback only, for clients and routes alike: nothing here is reachable from another machine. */
  config() {
    const routes = this.cluster.nodes
      .filter((n) => n !== this)
      .map((n) => `nats-route://127.0.0.1:${n.routePort}`);
    return [
      `server_name: ${this.name}`,
      // Lets a test place a one-replica stream on a chosen node: placement: { tags: ["node:n2"] }.
      `server_tags: ["node:${this.name}"]`,
      `listen: 127.0.0.1:${this.clientPort}`,
      `jetstream { store_dir: "${join(this.cluster.dir, this.name)}", max_memory_store: 64MB, max_file_store: 4GB }`,
      `cluster { name: sieve-test, listen: 127.0.0.1:${this.routePort}, routes: [${routes.join(", ")}] }`,
      "",
    ].join("\n");
  }

  start() {
    const file = join(this.cluster.dir, `${this.name}.conf`);
    writeFileSync(file, this.config());
    mkdirSync(join(this.cluster.dir, this.name), { recursive: true });
    const child = spawn("nats-server", ["-c", file], { detached: true, stdio: "ignore" });
    trackGroup(child);
    this.process = child;
    return this.waitListening();
  }

  async waitListening() {
    const { connect } = await import("node:net");
    await waitFor(
      () => new Promise((resolve) => {
        const socket = connect(this.clientPort, "127.0.0.1");
        socket.once("connect", () => { socket.destroy(); resolve(true); });
        socket.once("error", () => resolve(false));
      }),
      `${this.name} to listen`,
      30_000,
      50,
    );
  }

  /** SIGKILL: no shutdown, no flush. */
  async kill() {
    if (this.process === undefined) return;
    const child = this.process;
    this.process = undefined;
    killGroup(child, "SIGKILL");
    await exited(child);
  }
}

export class NatsCluster {
  static async start({ size = 3 } = {}) {
    const cluster = new NatsCluster();
    try {
      const ports = [];
      while (ports.length < size * 2) {
        const p = await freePort();
        if (!ports.includes(p)) ports.push(p);
      }
      for (let i = 0; i < size; i++) cluster.nodes.push(new Node(cluster, i, ports[2 * i], ports[2 * i + 1]));
      await Promise.all(cluster.nodes.map((n) => n.start()));
      await cluster.waitJetStream();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-nats-"));
    this.nodes = [];
  }

  get urls() {
    return this.nodes.map((n) => n.url);
  }

  get servers() {
    return this.urls.join(",");
  }

  /** Waits until the cluster has a JetStream meta leader (streams can be created). */
  async waitJetStream(timeoutMs = 60_000) {
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const nc = await connect({ servers: this.urls, maxReconnectAttempts: -1 });
    try {
      await waitFor(async () => {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        const info = await jsm.getAccountInfo();
        return info !== undefined;
      }, "a JetStream meta leader", timeoutMs, 250);
    } finally {
      await nc.close();
    }
  }

  async killNode(index) {
    await this.nodes[index].kill();
  }

  async restartNode(index) {
    await this.nodes[index].start();
  }

  /** Kills every node and removes the storage. Safe to call more than once. */
  async stop() {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
