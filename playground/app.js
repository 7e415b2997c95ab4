// The playground page: pasted events → the engine (one event per call, so each gets its own
// status) → each event's input with what was removed marked, beside its output. The policy is a
// preset's or the one typed in; it is compiled in the page, as the library always does.
import { PRESETS, compilePolicy, createFilter } from "/dist/index.js";
import { pastedEvents } from "./events.js";
import { markRemoved, markRejected, escapeHtml } from "./marking.js";

const $ = (id) => document.getElementById(id);
const decoder = new TextDecoder();
const CUSTOM = "(custom)";

const newest = new Map();
for (const p of PRESETS) if (!newest.has(p.name) || newest.get(p.name).version < p.version) newest.set(p.name, p);
for (const p of [...newest.values()]) $("preset").add(new Option(`preset ${p.id}`, p.id));
$("preset").add(new Option("custom policy (edit below)", CUSTOM));

function showPreset() {
  const preset = PRESETS.find((p) => p.id === $("preset").value);
  if (preset) $("policy").value = JSON.stringify({ name: preset.id, ...preset.spec }, null, 2);
}
$("preset").addEventListener("change", showPreset);
$("policy").addEventListener("input", () => { $("preset").value = CUSTOM; });

async function run() {
  $("problem").textContent = "";
  $("results").replaceChildren();
  let filter;
  try {
    filter = await createFilter(compilePolicy(JSON.parse($("policy").value), "policy"));
  } catch (error) {
    $("problem").textContent = `policy: ${error.message}`;
    return;
  }
  const pasted = pastedEvents($("events").value);
  if (pasted.error) {
    $("problem").textContent = pasted.error;
    return;
  }
  let kept = 0;
  pasted.events.forEach((text, i) => {
    const r = filter.filterEvent(text);
    const section = document.createElement("section");
    section.className = "event";
    section.dataset.index = String(i + 1);
    let status, input, output;
    if (r.ok) {
      kept++;
      const out = decoder.decode(r.output);
      status = `<span class="status ${r.route}">${r.route}</span>`;
      input = markRemoved(JSON.parse(text), JSON.parse(out));
      output = escapeHtml(JSON.stringify(JSON.parse(out), null, 2));
      section.dataset.output = out;
    } else {
      status = `<span class="status rejected">rejected: ${r.code} at byte ${r.offset}</span>`;
      input = markRejected(text, r.offset);
      output = "(left out of the output)";
    }
    section.innerHTML = `<header>event ${i + 1}: ${status}</header><div class="panes"><pre class="input">${input}</pre><pre class="output">${output}</pre></div>`;
    $("results").append(section);
  });
  $("summary").textContent = `${pasted.events.length} events (${pasted.format}), ${kept} kept, ${pasted.events.length - kept} rejected; ${filter.variant} build`;
}
$("run").addEventListener("click", run);

$("events").value = [
  '{"EventType":"task.created","AccountSid":"AC5f1e","WorkerName":"Jane Doe","TaskAttributes":"{\\"conversations\\":{\\"queue\\":\\"Cardiology\\",\\"external_contact\\":\\"+15551234567\\"},\\"customers\\":{\\"name\\":\\"Dorothy Keane\\",\\"gender\\":\\"F\\"},\\"caller_notes\\":\\"on warfarin\\"}"}',
  '{"EventType":"task.completed","AccountSid":"AC5f1e","TaskAttributes":"{\\"customers\\":',
].join("\n");
showPreset();
window.playgroundReady = true;
