/**
 * How large compiled automata may grow. Determinizing paths can multiply states: 20 paths like
 * `a.*.*…*.x`, `*.a.*…*.x`, … (under 1 KB of policy) would need 2^20 states and gigabytes of memory.
 * The builder charges every state, edge and key to a budget as it creates them, so such a policy is
 * refused after a bounded amount of work instead of after (or while) building all of it.
 *
 * The limits are far above realistic policies: 10,000 plain paths three keys deep (100 x 10 x 100
 * keys) make 11,101 states and 0.4 MB of tables; the presets under 200 states each.
 */

export interface AutomatonLimits {
  /** Most automaton states (one per distinct set of positions in the policy's paths). */
  readonly states: number;
  /** Most bytes of engine tables: 16 per state, 12 per edge, and the UTF-8 bytes of the keys. */
  readonly tableBytes: number;
}

/** For one policy. */
export const POLICY_LIMITS: AutomatonLimits = Object.freeze({ states: 100_000, tableBytes: 8 * 1024 * 1024 });
/** For all the policies of one accounts file together (one engine holds them all). */
export const FILE_LIMITS: AutomatonLimits = Object.freeze({ states: 250_000, tableBytes: 16 * 1024 * 1024 });

/** Table bytes per state and per edge (the layout of src/engine/policy-tables.ts). */
export const STATE_BYTES = 16;
export const EDGE_BYTES = 12;

/** Thrown by the builder when a budget runs out; the message says which limit, for whom. */
export class AutomatonTooLarge extends Error {}

/** What is left of one set of limits; several automata may draw on the same budget. */
export class AutomatonBudget {
  private states = 0;
  private tableBytes = 0;

  /** `scope` ends the message: "for one policy", "for the policies of one file together". */
  constructor(readonly limits: AutomatonLimits, readonly scope: string) {}

  charge(states: number, tableBytes: number): void {
    this.states += states;
    this.tableBytes += tableBytes;
    if (this.states > this.limits.states) {
      throw new AutomatonTooLarge(`compile to more than ${grouped(this.limits.states)} automaton states, the limit ${this.scope}`);
    }
    if (this.tableBytes > this.limits.tableBytes) {
      throw new AutomatonTooLarge(`compile to more than ${grouped(this.limits.tableBytes)} bytes of tables, the limit ${this.scope}`);
    }
  }
}

/** 200000 → "200,000" (the same in every locale). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}
