// A `hipaa-sieve nats` process for the cluster tests: its own process group (killed with the cluster's
// exit hook if a test fails), stderr collected so that tests wait on what it reports.
import { spawn } from "node:child_process";
import { CLI, ROOT } from "../../support/cli-run.js";
import { killGroup, trackGroup, waitFor } from "../../support/nats-cluster.js";

export class FilterProcess {
  /** `args`: the nats command's options (without "nats"). */
  constructor(args, name) {
    this.args = args;
    this.name = name;
    this.stderr = "";
    this.child = undefined;
    this.exit = undefined;
  }

  start() {
    this.stderr = "";
    this.exit = undefined;
    const child = spawn(process.execPath, [CLI, "nats", ...this.args], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    });
    trackGroup(child);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.child = child;
    return this;
  }

  /** Waits until its stderr matches `pattern`. */
  async waitFor(pattern, timeoutMs = 60_000) {
    await waitFor(() => pattern.test(this.stderr) || this.exit !== undefined, `${this.name} to report ${pattern}`, timeoutMs, 50);
    if (!pattern.test(this.stderr)) throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before reporting ${pattern}: ${this.stderr}`);
  }

  kill(signal = "SIGKILL") {
    if (this.child !== undefined && this.exit === undefined) killGroup(this.child, signal);
    return this.exited;
  }

  /** SIGTERM (drain) and wait for the exit, with a SIGKILL if it does not come in time. */
  async stop(timeoutMs = 60_000) {
    if (this.child === undefined || this.exit !== undefined) return this.exit;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
