/**
 * `hipaa-sieve scan (--preset NAME | --policy FILE | --accounts FILE) --input FILE`: runs the PHI detectors over
 * the values a configuration keeps, and prints how many values each detector hit at each kept path (never a
 * value), so that a team sees what its preserved attributes hold before it switches detection on. Nothing is
 * written but the report: every policy's detectors count (its own detect section with "action": "count", or
 * the --detect recommendation where it has none).
 */
import { createReadStream } from "node:fs";
import type { AccountsConfig } from "../accounts/config.js";
import { countingPolicy, type CompiledPolicy } from "../policy/policy.js";
import { findRecommendation, RECOMMENDATION_NAMES } from "../policy/recommendations.js";
import { FilterSession } from "../stream/filter-stream.js";
import type { BatchFilter } from "../stream/line-batcher.js";
import type { BatchOptions, BatchResult, Detection } from "../types.js";
import { HELP_OPTION, stringOption, type CommandSpec, type ParsedOptions } from "./args.js";
import { print, type CliContext } from "./context.js";
import { CliError, EXIT_OK, fileError, UsageError } from "./errors.js";
import { accountsFilter, loadAccountsFile, loadPolicyFile, loadPreset, policyFilter } from "./load.js";
import { addDetections, detectionEntries, sortedCodes, newRunStats } from "./filter/stats.js";
import { plural } from "./help.js";

export const scanSpec: CommandSpec = {
  name: "scan",
  summary: "Count what the PHI detectors find in the values a policy keeps (never shows a value)",
  usage: ["scan (--preset NAME | --policy FILE | --accounts FILE) --input FILE [--detect NAME] [--json]"],
  options: [
    { name: "preset", type: "string", value: "NAME", description: "A built-in policy: NAME or NAME@VERSION" },
    { name: "policy", type: "string", value: "FILE", description: "A policy file" },
    { name: "accounts", type: "string", value: "FILE", description: "An accounts file: each filtered account's policy" },
    { name: "input", type: "string", value: "FILE", description: "NDJSON events to scan" },
    {
      name: "detect", type: "string", value: "NAME",
      description: `The recommendation for policies without a detect section (default flex-insights-hipaa; one of: ${RECOMMENDATION_NAMES.join(", ")})`,
    },
    { name: "json", type: "boolean", description: "Print the report as one JSON document" },
    HELP_OPTION,
  ],
  details: [
    "Events are filtered as `filter` would, but nothing is written: each kept value is run through",
    "the detectors (a policy's own detect section, with its action turned into \"count\"), and the",
    "report lists, per kept path and detector, how many values hit. Events rejected for other reasons",
    "count nothing. Exit status: 0 when the scan ran (whatever it found); 1 when a file cannot be read",
    "or is not a valid configuration; 2 for a bad command line.",
  ],
};

export async function runScan(values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
  const preset = stringOption(values, "preset");
  const file = stringOption(values, "policy");
  const accounts = stringOption(values, "accounts");
  const input = stringOption(values, "input");
  const recommendation = stringOption(values, "detect") ?? "flex-insights-hipaa";
  const given = [preset !== undefined && "--preset", file !== undefined && "--policy", accounts !== undefined && "--accounts"]
    .filter((g): g is string => g !== false);
  if (given.length !== 1) {
    throw new UsageError(given.length === 0 ? "one of --preset NAME, --policy FILE or --accounts FILE is required"
      : `options ${given.join(" and ")} cannot be used together (give exactly one)`, "scan");
  }
  if (input === undefined) throw new UsageError("option --input FILE is required", "scan");
  if (!findRecommendation(recommendation)) {
    throw new UsageError(`unknown recommendation ${JSON.stringify(recommendation)} for --detect (expected one of: ${RECOMMENDATION_NAMES.join(", ")})`, "scan");
  }
  const counting = (policy: CompiledPolicy) => countingPolicy(policy, recommendation);

  let filter: BatchFilter & { readonly limits: { readonly maxEventBytes: number } };
  if (accounts !== undefined) {
    const { config } = await loadAccountsFile(accounts);
    const scanned: AccountsConfig = { ...config, policies: new Map([...config.policies].map(([id, p]) => [id, counting(p)])) };
    filter = await accountsFilter(scanned, {}, "scan");
  } else {
    const policy = preset !== undefined ? loadPreset(preset, "scan") : await loadPolicyFile(file!);
    filter = await policyFilter(counting(policy), {}, "scan");
  }

  const detections = new Map<string, Detection>();
  const counted: BatchFilter = {
    limits: filter.limits,
    filterBatch(ndjson: Uint8Array, options?: BatchOptions): BatchResult {
      const result = filter.filterBatch(ndjson, options);
      addDetections(detections, result.detections);
      return result;
    },
  };
  const session = new FilterSession(counted);
  try {
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) session.push(chunk as Uint8Array);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw fileError("read", "input file", input, error);
  }
  session.finish();

  const stats = { ...newRunStats(false), ...session.stats };
  const found = detectionEntries(detections);
  if (values["json"] === true) {
    const doc = {
      events: stats.events, kept: stats.kept, rejected: stats.rejected, rejectedByCode: Object.fromEntries(sortedCodes(stats)),
      detections: found.map(({ policy, path, detector, count }) => ({ policy, path, detector, count })),
    };
    await print(context.stdout, `${JSON.stringify(doc, null, 2)}\n`);
    return EXIT_OK;
  }
  const lines = [`${plural(stats.events, "event")} scanned, ${stats.kept} kept, ${stats.rejected} rejected; ` +
    `${plural(found.reduce((n, d) => n + d.count, 0), "value")} hit a detector`];
  if (found.length > 0) {
    const width = Math.max(4, ...found.map((d) => d.path.length));
    const detectorWidth = Math.max(8, ...found.map((d) => d.detector.length));
    lines.push(`${"path".padEnd(width)}  ${"detector".padEnd(detectorWidth)}  values  policy`);
    for (const d of found) lines.push(`${d.path.padEnd(width)}  ${d.detector.padEnd(detectorWidth)}  ${String(d.count).padStart(6)}  ${d.policy}`);
  }
  await print(context.stdout, lines.join("\n") + "\n");
  return EXIT_OK;
}
