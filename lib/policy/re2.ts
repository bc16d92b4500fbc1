import type { RE2JS as Engine } from '@bufbuild/re2';
import { beforeSnapshot } from './snapshot';

// The results each pattern keeps (below), all forgotten before a startup snapshot (the compiled patterns stay in it).
const remembered = new Set<Map<string, boolean>>();
beforeSnapshot(() => remembered.forEach((seen) => seen.clear()));

/**
 * The regular-expression engine of the ahead-of-time schema validators (`pattern`) and of CEL `matches()`: RE2, the
 * syntax the API server uses (Go regexp: `(?i)` works, backreferences do not). The generated validators in
 * imports/validators require it by this path; do not move it. Not JavaScript's RegExp, even for the patterns both read
 * alike: it backtracks, and the CRDs have nested repetitions — Envoy Gateway's duration pattern
 * `^([0-9]+(ns|us|µs|ms|s|m|h)?)+$` took 0.2 s on 24 digits and a letter, four times longer per two more digits, where
 * RE2 answers 10,000 digits in 18 ms. A value in a hand-written manifest must not be able to stall `check`.
 */
export const re2 = Object.assign((pattern: string) => {
  // Compiled on first use: a validator module creates all its patterns when it loads, and most never meet a value.
  let compiled: Engine | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const compile = () => (require('../../imports/validators/re2').RE2JS as typeof Engine).compile(pattern);
  // Results are kept (the first thousand values): the same namespaces, names and labels recur across documents.
  const seen = new Map<string, boolean>();
  remembered.add(seen);
  const test = (s: string) => {
    let r = seen.get(s);
    if (r === undefined) {
      r = (compiled ??= compile()).test(s);
      if (seen.size < 1000) seen.set(s, r);
    }
    return r;
  };
  return { test, toString: () => pattern };
}, { code: 'require("../../../../lib/policy/re2").re2' });
