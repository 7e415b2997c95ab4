// Checks on output text that JSON.parse cannot make.

/** The first key that appears twice in one object of `text` (valid JSON), after escape decoding; else null. */
export function duplicateKey(text) {
  const stack = []; // per open container: { keys: Set | null, expectKey: boolean }
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && top.keys && top.expectKey) {
        const k = JSON.parse(text.slice(i, j + 1));
        if (top.keys.has(k)) return k;
        top.keys.add(k);
        top.expectKey = false;
      }
      i = j;
    } else if (c === "{") stack.push({ keys: new Set(), expectKey: true });
    else if (c === "[") stack.push({ keys: null, expectKey: false });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top && top.keys) top.expectKey = true;
    }
  }
  return null;
}

/** Every string and key inside a parsed JSON value. */
export function* stringsIn(v) {
  if (typeof v === "string") yield v;
  else if (Array.isArray(v)) for (const x of v) yield* stringsIn(x);
  else if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v)) {
      yield k;
      yield* stringsIn(v[k]);
    }
  }
}
