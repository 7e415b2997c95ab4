// The filter state machine: a recursive walk over one JSON document that validates every byte
// and writes out only what the policy keeps, minified. A value is walked in one of three modes:
//   dropped  - walkValue(emit = false): validated, nothing written
//   kept     - walkValue(emit = true): validated, copied token by token, keys checked for repeats
//   filtered - filterValue at a prefix node: containers kept, members picked by key
// A member's key is written before its value is known to be kept, and taken back if it is not.
// Each walk is generic over its mode M (in-place.ts): Raw reads a document as written, Escaped an
// embedded document in place, inside the string that holds it.
import {
  OK, fail, errorCode, replaceError, clearError, isGrammarError, UNEXPECTED_BYTE, TOO_DEEP, TOO_LARGE,
  DUPLICATE_KEY, DUPLICATE_ACCOUNT_KEY, INVALID_EMBEDDED_JSON, TRAILING_BYTES, NOT_AN_OBJECT,
} from "./errors";
import {
  skipWhitespace, scanString, scanNumber, scanLiteral, hashKey, bytesEqual,
  failHere, docEnd, setDocEnd, stringHadEscape,
} from "./scan";
import { PADDING } from "./abi";
import {
  outPos, setOutPos, emitByte, emitBytes, arenaTop, setArenaTop, scratchLevel, outputInBounds,
} from "./buffers";
import {
  childFor, lastKeyHash, lastEdge, nodeFlags, nodeEdgeCount, nodeDetect, nodeCounterBase, placeholderAddress,
  placeholderLength, NODE_DROP, FLAG_KEEP_WHOLE, FLAG_EMBEDDED_JSON,
} from "./policy-tables";
import { inspectScalar, VALUE_STAYS, VALUE_FAILED } from "./detect/kept-values";
import { logMark, undoHitsTo, countingDirectly } from "./detect/counts";
import { newObject, insertKey, KEY_ADDED, KEY_REPEATED } from "./keyset";
import { memoSlot, predictKey, memoChild, memoEdge, memoHash, remember } from "./key-memo";
import { maxDepth } from "./limits";
import { decodeString, decodedEnd, encodeString } from "./escapes";
import { routing, rootKey, rootKeyLength } from "./account-routes";
import { Raw, Escaped, bail, quoteAt, skipSpace, scanStringAt } from "./in-place";

// The member key read last: its lexeme ends at keyClose (the closing quote); its decoded
// bytes are at keyAddress (in the input, or in the arena when it held escapes).
let keyClose: usize = 0;
let keyAddress: usize = 0;
let keyLength: usize = 0;
let keyInArena = false;

/** Set by filterValue: whether the value it walked was left out of the output. */
let valueDropped = false;

// While a value kept whole is copied at a node that scans it: that node's detect word and first
// counter (see detect/kept-values.ts); keptDetect is 0 otherwise.
let keptDetect: u32 = 0;
let keptCounterBase: u32 = 0;

/**
 * Writes the kept scalar [p, end) as inspectScalar's `verdict` says: as it is, or its detector's
 * placeholder in its place (in Escaped mode with its quotes escaped: `\"[phone]\"`; no placeholder
 * is longer than a value it replaces, nor then escaped). False when the verdict is a failure.
 */
// @ts-ignore: decorator
@inline
function emitInspected<M>(p: usize, end: usize, verdict: i32): bool {
  if (verdict == VALUE_STAYS) emitBytes(p, end - p);
  else if (verdict == VALUE_FAILED) return false;
  else {
    const text = placeholderAddress(<u32>verdict);
    const length = placeholderLength(<u32>verdict);
    if (sizeof<M>() == 1) emitBytes(text, length);
    else {
      emitByte(0x5c);
      emitByte(0x22);
      emitBytes(text + 1, length - 2); // the name between the quotes: no byte of it needs an escape
      emitByte(0x5c);
      emitByte(0x22);
    }
  }
  return true;
}

/** How many embedded documents enclose the walk now. */
let embeddedLevel: u32 = 0;

/**
 * Parses `"key" :` at p; returns the address of the value (whitespace skipped), or 0.
 * Decodes and hashes the key only when `needKey` (dropped subtrees never look at keys).
 */
function readMemberHead<M>(p: usize, needKey: bool): usize {
  if (!quoteAt<M>(p)) return failHere(UNEXPECTED_BYTE, p);
  const close = scanStringAt<M>(p + sizeof<M>());
  if (close == 0) return 0;
  keyClose = close;
  if (needKey && !readKey<M>(p + sizeof<M>(), close)) return 0;
  return memberValue<M>(close);
}

/** After a member's key (closing quote at close): `:` and whitespace; the value's address, or 0. */
// @ts-ignore: decorator
@inline
function memberValue<M>(close: usize): usize {
  const colon = skipSpace<M>(close + 1);
  if (load<u8>(colon) != 0x3a) return failHere(UNEXPECTED_BYTE, colon);
  return skipSpace<M>(colon + 1);
}

/**
 * Takes the key whose body starts at `start` (closing '"' at close), decoding it if it holds
 * escapes. False where escaped mode steps aside: a key with escapes is read by the decoding path.
 */
function readKey<M>(start: usize, close: usize): bool {
  if (sizeof<M>() == 2) {
    if (stringHadEscape) return bail(start) != 0;
    keyInArena = false;
    keyAddress = start;
    keyLength = close - 1 - start;
    return true;
  }
  keyInArena = stringHadEscape;
  if (keyInArena) {
    keyAddress = arenaTop;
    decodeString(start, arenaTop); // validated already: cannot fail
    keyLength = decodedEnd - arenaTop;
  } else {
    keyAddress = start;
    keyLength = close - start;
  }
  return true;
}

/** Whether the top-level object should be watched for a second account key (see account-routes.ts). */
// @ts-ignore: decorator
@inline
function watchesAccountKey(depth: i32): bool {
  const watch = depth == 1 && routing && rootKeyLength >= 0;
  if (watch) accountKeySeen = false;
  return watch;
}

/** Whether the watched object has shown its account key (only the top-level object is watched). */
let accountKeySeen = false;

/** Whether the key just read is the account key. */
function isAccountKey(): bool {
  return <isize>keyLength == rootKeyLength && bytesEqual(keyAddress, rootKey, keyLength);
}

/**
 * Adds the key just read (its lexeme at keyAt) to `owner`'s key set, keeping its decoded bytes
 * alive. Returns OK, or fails with DUPLICATE_KEY (a repeat) or TOO_LARGE (more selected keys in
 * one event than the key set holds). `hash` is the key's hash if already known, else 0.
 */
function claimKey(owner: u32, hash: u32, keyAt: usize): i32 {
  if (hash == 0) hash = hashKey(keyAddress, keyLength);
  const found = insertKey(owner, keyAddress, keyLength, hash);
  if (found != KEY_ADDED) {
    const code = found == KEY_REPEATED ? DUPLICATE_KEY : TOO_LARGE;
    fail(code, keyAt);
    return code;
  }
  if (keyInArena) setArenaTop(keyAddress + keyLength);
  return OK;
}

/** Writes `,"key":` (no comma before the first member) with the key's original lexeme. */
function emitMemberHead(keyAt: usize, first: bool): void {
  if (!first) emitByte(0x2c);
  emitBytes(keyAt, keyClose + 1 - keyAt);
  emitByte(0x3a);
}

/**
 * The member head at p, as readMemberHead reads it, in an object that watches for a repeated
 * account key where `watch`. Both object walks read their members through here.
 */
// @ts-ignore: decorator
@inline
function readMember<M>(p: usize, needKey: bool, watch: bool): usize {
  return watchMember(p, readMemberHead<M>(p, needKey || watch), watch);
}

/** The account-key watch of readMember, for a member head read (valueAt, or 0) at p. */
// @ts-ignore: decorator
@inline
function watchMember(p: usize, valueAt: usize, watch: bool): usize {
  if (valueAt == 0 || !watch || !isAccountKey()) return valueAt;
  if (accountKeySeen) return fail(DUPLICATE_ACCOUNT_KEY, p);
  accountKeySeen = true;
  return valueAt;
}

/** Set by nextItem: whether the container ended instead. */
let itemsClosed = false;

/**
 * After an item of a container: skips whitespace and a ',' (returning where the next item starts),
 * or stops at the container's `close` byte (returning its address, itemsClosed set). 0 on error.
 */
// @ts-ignore: decorator
@inline
function nextItem<M>(p: usize, close: u8): usize {
  p = skipSpace<M>(p);
  const c = load<u8>(p);
  itemsClosed = c == close;
  if (itemsClosed) return p;
  if (c != 0x2c) return failHere(UNEXPECTED_BYTE, p);
  return skipSpace<M>(p + 1);
}

/** Walks any value at p (`depth` containers enclose it), copying it out when `emit`. */
function walkValue<M>(p: usize, depth: i32, emit: bool): usize {
  if (quoteAt<M>(p)) {
    const close = scanStringAt<M>(p + sizeof<M>());
    if (close == 0) return 0;
    if (emit) {
      if (keptDetect == 0) emitBytes(p, close + 1 - p);
      else if (!emitInspected<M>(p, close + 1, inspectScalar<M>(p, close + 1, keptDetect, keptCounterBase))) return 0;
    }
    return close + 1;
  }
  const c = <u32>load<u8>(p);
  if (c == 0x7b) return walkObject<M>(p, depth + 1, emit);
  if (c == 0x5b) return walkArray<M>(p, depth + 1, emit);
  const end = c == 0x2d || c - 0x30 < 10 ? scanNumber(p) : scanLiteral(p);
  if (end != 0 && emit) {
    if (keptDetect == 0) emitBytes(p, end - p);
    else if (!emitInspected<M>(p, end, inspectScalar<M>(p, end, keptDetect, keptCounterBase))) return 0;
  }
  return end;
}

/** walkValue(p, depth, false), with the most common value of all, a string, taken without a call. */
// @ts-ignore: decorator
@inline
function skipValue<M>(p: usize, depth: i32): usize {
  if (!quoteAt<M>(p)) return walkValue<M>(p, depth, false);
  const close = scanStringAt<M>(p + sizeof<M>());
  return close == 0 ? 0 : close + 1;
}

function walkObject<M>(p: usize, depth: i32, emit: bool): usize {
  if (depth > maxDepth) return fail(TOO_DEEP, p);
  const owner: u32 = emit ? newObject() : 0;
  if (emit) emitByte(0x7b);
  const watch = watchesAccountKey(depth);
  p = skipSpace<M>(p + 1);
  if (load<u8>(p) != 0x7d) {
    let first = true;
    while (true) {
      const keyAt = p;
      const valueAt = readMember<M>(p, emit, watch);
      if (valueAt == 0) return 0;
      if (emit) {
        if (claimKey(owner, 0, keyAt) != OK) return 0;
        emitMemberHead(keyAt, first);
      }
      p = walkValue<M>(valueAt, depth, emit);
      if (p == 0) return 0;
      first = false;
      p = nextItem<M>(p, 0x7d);
      if (p == 0) return 0;
      if (itemsClosed) break;
    }
  }
  if (emit) emitByte(0x7d);
  assert(outputInBounds(embeddedLevel));
  return p + 1;
}

function walkArray<M>(p: usize, depth: i32, emit: bool): usize {
  if (depth > maxDepth) return fail(TOO_DEEP, p);
  if (emit) emitByte(0x5b);
  p = skipSpace<M>(p + 1);
  if (load<u8>(p) != 0x5d) {
    while (true) {
      p = walkValue<M>(p, depth, emit);
      if (p == 0) return 0;
      p = nextItem<M>(p, 0x5d);
      if (p == 0) return 0;
      if (itemsClosed) break;
      if (emit) emitByte(0x2c);
    }
  }
  if (emit) emitByte(0x5d);
  assert(outputInBounds(embeddedLevel));
  return p + 1;
}

/**
 * Walks the value at p standing at `node` (a selected node), writing what the policy keeps.
 * Sets valueDropped when nothing of it was written. `decodeEmbedded` is false for values at the
 * top of an embedded document's own node: a string there is not decoded again, which keeps
 * embedded nesting bounded by the policy (and the arena by maxEmbeddedNesting).
 */
function filterValue<M>(p: usize, depth: i32, node: u32, decodeEmbedded: bool): usize {
  const flags = nodeFlags(node);
  // valueDropped is set after the walk: the walk sets it for the values inside.
  let end: usize;
  const c = load<u8>(p);
  if (flags & FLAG_KEEP_WHOLE) end = walkKept<M>(p, depth, node);
  else if (c == 0x7b) end = filterObject<M>(p, depth + 1, node);
  else if (c == 0x5b) end = filterArray<M>(p, depth + 1, node, decodeEmbedded);
  else {
    if (decodeEmbedded && (flags & FLAG_EMBEDDED_JSON) && quoteAt<M>(p)) {
      // A document inside an embedded one (escaped twice) is left to the decoding path.
      return sizeof<M>() == 1 ? filterEmbedded(p, depth, node) : bail(p);
    }
    // A scalar where only containers may stand (a prefix path): dropped, key and all.
    end = walkValue<M>(p, depth, false);
    valueDropped = true;
    return end;
  }
  valueDropped = false;
  return end;
}

/** Copies the value at p, kept whole at `node`, scanning its scalars where the node says so. */
function walkKept<M>(p: usize, depth: i32, node: u32): usize {
  const word = nodeDetect(node);
  if (word == 0) return walkValue<M>(p, depth, true);
  keptDetect = word;
  keptCounterBase = nodeCounterBase(node);
  const end = walkValue<M>(p, depth, true);
  keptDetect = 0;
  return end;
}

/**
 * Repeats among selected keys: a key taken by a literal edge is known by the edge's index, so a
 * bitset on the arena stack (one bit per edge) catches it; keys taken by the wildcard go to the
 * key set. The arena is popped when the object ends, with this object's decoded keys.
 */
function filterObject<M>(p: usize, depth: i32, node: u32): usize {
  if (depth > maxDepth) return fail(TOO_DEEP, p);
  const seen = arenaTop;
  const seenWords = (<usize>nodeEdgeCount(node) + 63) >> 6;
  for (let i: usize = 0; i < seenWords; i++) store<u64>(seen + (i << 3), 0);
  setArenaTop(seen + (seenWords << 3));
  let owner: u32 = 0;
  emitByte(0x7b);
  const watch = watchesAccountKey(depth);
  p = skipSpace<M>(p + 1);
  if (load<u8>(p) != 0x7d) {
    let first = true;
    let member: u32 = 0;
    while (true) {
      const keyAt = p;
      // The key: as the memo predicts it (key-memo.ts says why a hit is exact), else scanned
      // and looked up in the tables, and remembered for the next event.
      let valueAt: usize;
      let child: u32;
      let edge: i32;
      let keyHash: u32;
      const slot = memoSlot(node, member);
      const predicted = quoteAt<M>(p) ? predictKey<M>(slot, node, member, p) : 0;
      if (predicted != 0) {
        keyClose = predicted;
        keyAddress = p + sizeof<M>();
        keyLength = predicted + 1 - sizeof<M>() - keyAddress;
        keyInArena = false;
        valueAt = watchMember(p, memberValue<M>(keyClose), watch);
        if (valueAt == 0) return 0;
        child = memoChild(slot);
        edge = memoEdge(slot);
        keyHash = memoHash(slot);
      } else {
        valueAt = readMember<M>(p, true, watch);
        if (valueAt == 0) return 0;
        child = childFor(node, keyAddress, keyLength);
        edge = lastEdge;
        keyHash = lastKeyHash;
        if (!keyInArena) remember(slot, node, member, keyAddress, keyLength, child, edge, keyHash);
      }
      member++;
      if (child == NODE_DROP) {
        p = skipValue<M>(valueAt, depth);
      } else {
        // Selected keys may not repeat, whatever their values (fail closed; see README).
        if (edge >= 0) {
          const word = seen + (<usize>(edge >> 6) << 3);
          const bit: u64 = 1 << <u64>(edge & 63);
          const bits = load<u64>(word);
          if (bits & bit) return fail(DUPLICATE_KEY, keyAt);
          store<u64>(word, bits | bit);
        } else {
          if (owner == 0) owner = newObject();
          if (claimKey(owner, keyHash, keyAt) != OK) return 0;
        }
        const c = load<u8>(valueAt);
        if ((nodeFlags(child) & FLAG_KEEP_WHOLE) && c != 0x7b && c != 0x5b) {
          // A kept scalar: validate it, then copy `"key":value` as one span when the input
          // has nothing between them (minified input), else piece by piece.
          p = skipValue<M>(valueAt, depth);
          if (p == 0) return 0;
          const word = nodeDetect(child);
          const verdict = word == 0 ? VALUE_STAYS : inspectScalar<M>(valueAt, p, word, nodeCounterBase(child));
          if (verdict == VALUE_FAILED) return 0;
          if (!first) emitByte(0x2c);
          if (verdict == VALUE_STAYS && valueAt == keyClose + 2) {
            emitBytes(keyAt, p - keyAt);
          } else {
            emitMemberHead(keyAt, true);
            emitInspected<M>(valueAt, p, verdict);
          }
          first = false;
        } else {
          const mark = outPos;
          emitMemberHead(keyAt, first);
          p = filterValue<M>(valueAt, depth, child, true);
          if (valueDropped) setOutPos(mark);
          else first = false;
        }
      }
      if (p == 0) return 0;
      p = nextItem<M>(p, 0x7d);
      if (p == 0) return 0;
      if (itemsClosed) break;
    }
  }
  emitByte(0x7d);
  assert(outputInBounds(embeddedLevel));
  setArenaTop(seen);
  return p + 1;
}

/** Arrays are transparent: every element stands at the array's own node. */
function filterArray<M>(p: usize, depth: i32, node: u32, decodeEmbedded: bool): usize {
  if (depth > maxDepth) return fail(TOO_DEEP, p);
  emitByte(0x5b);
  p = skipSpace<M>(p + 1);
  if (load<u8>(p) != 0x5d) {
    let first = true;
    while (true) {
      const mark = outPos;
      if (!first) emitByte(0x2c);
      p = filterValue<M>(p, depth, node, decodeEmbedded);
      if (p == 0) return 0;
      if (valueDropped) setOutPos(mark);
      else first = false;
      p = nextItem<M>(p, 0x5d);
      if (p == 0) return 0;
      if (itemsClosed) break;
    }
  }
  emitByte(0x5d);
  assert(outputInBounds(embeddedLevel));
  return p + 1;
}

/**
 * A string at an embeddedJson node: the document it holds is filtered at the same node and
 * written back as a JSON string. Returns the address after the string, or 0. Errors inside are
 * reported at the string's opening quote. The document is walked in place first (in-place.ts);
 * where that steps aside, it is decoded.
 */
function filterEmbedded(quote: usize, depth: i32, node: u32): usize {
  const end = filterEmbeddedInPlace(quote, depth, node);
  return end != 0 ? end : filterEmbeddedDecoded(quote, depth, node);
}

/**
 * The document inside the string at `quote`, walked where it stands in Escaped mode: kept spans
 * of the escaped body are the escaped output, so nothing is decoded or re-escaped. On a bail its
 * output, arena and error are undone and 0 returned. (Keys it added to the key sets stay, in key
 * sets of objects that are done; they cost only table room.)
 */
function filterEmbeddedInPlace(quote: usize, depth: i32, node: u32): usize {
  if (countingDirectly()) return 0; // its hits could not be taken back on a bail
  const mark = outPos;
  const arena = arenaTop;
  const hits = logMark();
  let p = skipSpace<Escaped>(quote + 1);
  const c = load<u8>(p);
  if (c != 0x7b && c != 0x5b) return 0; // a scalar document, or not JSON: the decoding path
  emitByte(0x22);
  p = c == 0x7b ? filterObject<Escaped>(p, depth + 1, node) : filterArray<Escaped>(p, depth + 1, node, false);
  if (p != 0) {
    p = skipSpace<Escaped>(p);
    if (load<u8>(p) != 0x22) p = 0; // the string goes on after the document: the decoding path tells
  }
  if (p == 0) {
    setOutPos(mark);
    setArenaTop(arena);
    undoHitsTo(hits); // the decoding path counts them again
    clearError(); // nothing was wrong before this walk began: an error ends the event's walk
    return 0;
  }
  emitByte(0x22);
  valueDropped = false;
  return p + 1;
}

/**
 * The decoding path: decode the string into the arena, filter the document it holds, and write
 * the result back escaped.
 */
function filterEmbeddedDecoded(quote: usize, depth: i32, node: u32): usize {
  const doc = arenaTop;
  const close = decodeString(quote + 1, doc);
  if (close == 0) return 0;
  const docEndAddress = decodedEnd;
  store<u8>(docEndAddress, 0); // sentinel; the arena keeps PADDING bytes after it
  setArenaTop(docEndAddress + PADDING);
  const outerEnd = docEnd;
  setDocEnd(docEndAddress);

  let p = skipWhitespace(doc);
  const c = load<u8>(p);
  if (c == 0x7b || c == 0x5b) {
    // Filter into this level's scratch region, then escape it into the output.
    const outerOut = outPos;
    embeddedLevel++;
    const filtered = scratchLevel(embeddedLevel);
    setOutPos(filtered);
    p = c == 0x7b ? filterObject<Raw>(p, depth + 1, node) : filterArray<Raw>(p, depth + 1, node, false);
    embeddedLevel--;
    const filteredEnd = outPos;
    setOutPos(outerOut);
    valueDropped = false;
    if (p != 0) p = expectEnd(p, docEndAddress);
    if (p != 0) {
      emitByte(0x22);
      setOutPos(encodeString(filtered, filteredEnd, outPos));
      emitByte(0x22);
    }
  } else {
    // A scalar document (or not JSON at all): validate it, then drop the key.
    p = p == docEndAddress ? failHere(UNEXPECTED_BYTE, p) : walkValue<Raw>(p, depth, false);
    if (p != 0) p = expectEnd(p, docEndAddress);
    valueDropped = true;
  }

  setDocEnd(outerEnd);
  setArenaTop(doc);
  if (p == 0) {
    const code = errorCode;
    replaceError(isGrammarError(code) ? INVALID_EMBEDDED_JSON : code, quote);
    return 0;
  }
  return close + 1;
}

/** After a document's value: only whitespace may follow it up to `end`. Returns end, or 0. */
function expectEnd(p: usize, end: usize): usize {
  p = skipWhitespace(p);
  return p == end ? p : fail(TRAILING_BYTES, p);
}

/**
 * Walks the document [start, docEnd), whose top level must be an object: filtered at policy
 * node `root`, or, with root NODE_DROP, only validated (pass-through accounts). Returns false on
 * rejection (errorCode / errorAt say why and where).
 */
export function walkDocument(start: usize, root: u32): bool {
  let p = skipWhitespace(start);
  if (load<u8>(p) != 0x7b) {
    failHere(NOT_AN_OBJECT, p);
    return false;
  }
  p = root == NODE_DROP ? walkValue<Raw>(p, 0, false) : filterObject<Raw>(p, 1, root);
  return p != 0 && expectEnd(p, docEnd) != 0;
}
