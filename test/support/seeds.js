// The seed documents in ../shared/seeds, read and parsed for the tests: the Flex Insights preserved
// attribute lists and CTICloud's end-of-call report.
//
// The project also carries these facts in test/fixtures/seed-facts.json, so that a clone without
// shared/ beside it still tests fully: `seedFacts()` reads the seeds when they are there (always in
// CI, where a missing seed fails loudly) and the bundled facts otherwise, and a test checks that the
// two agree whenever the seeds are there.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SEEDS = new URL("../../../shared/seeds/", import.meta.url);
const BUNDLED = new URL("../fixtures/seed-facts.json", import.meta.url);

/** Whether the seed documents are beside the project (they must be in CI). */
export const seedsPresent = existsSync(SEEDS);

/** The facts bundled with the project (a copy of what the seeds say). */
export function bundledSeedFacts() {
  const { flexInsights, endOfCallReport, tenantSettings } = JSON.parse(readFileSync(BUNDLED, "utf8"));
  return { flexInsights, endOfCallReport, tenantSettings };
}

/** The facts from the seeds themselves. */
export function liveSeedFacts() {
  return { flexInsights: flexSeedLists(), endOfCallReport: endOfCallSeed(), tenantSettings: tenantSettingsSeed() };
}

/**
 * The seed facts to test against: the seeds' own where they are present, required in CI (CI=true),
 * else the bundled copy.
 */
export function seedFacts() {
  if (seedsPresent || process.env.CI) return liveSeedFacts();
  return bundledSeedFacts();
}

/** A seed document's text. */
export function seed(name) {
  const url = new URL(name, SEEDS);
  try {
    return readFileSync(url, "utf8");
  } catch (error) {
    throw new Error(`seed document ${fileURLToPath(url)} is missing (${error.code}): the tests check the ` +
      "presets against it; clone the project with shared/ beside it");
  }
}

/** The three "Preserved attributes ..." lists of flex-insights-hipaa.txt: { root, conversations, customers }. */
export function flexSeedLists() {
  const text = seed("flex-insights-hipaa.txt");
  const lines = text.split("\n").filter((l) => /^Preserved attributes (on|in) /.test(l));
  if (lines.length !== 3) {
    throw new Error(`expected exactly three "Preserved attributes" lists in the seed, found ${lines.length}: review the presets`);
  }
  const list = (re) => {
    const m = text.match(re);
    if (!m) throw new Error(`seed line ${re} not found`);
    const items = m[1].split(",").map((s) => s.trim()).filter(Boolean);
    if (items.length === 0 || new Set(items).size !== items.length) throw new Error(`seed list ${re} is empty or repeats an item`);
    return items;
  };
  return {
    root: list(/^Preserved attributes on the root level of task attributes: (.+)$/m),
    conversations: list(/^Preserved attributes in the conversations object: (.+)$/m),
    customers: list(/^Preserved attributes in the customers object: (.+)$/m),
  };
}

/** The first JSON object in `text` after `heading`. */
function jsonAfter(text, heading) {
  const from = text.indexOf(heading);
  if (from < 0) throw new Error(`seed has no "${heading}"`);
  const start = text.indexOf("{", from);
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error(`unterminated JSON after "${heading}"`);
}

/** The end-of-call report example of cticloud-hipaa.txt. */
export const endOfCallSeed = () => jsonAfter(seed("cticloud-hipaa.txt"), "End-of-Call Reports");

/** The tenant configuration example of cticloud-hipaa.txt (tenantId and complianceSettings). */
export const tenantSettingsSeed = () => jsonAfter(seed("cticloud-hipaa.txt"), "HIPAA compliance is configured through");
