import { RE2JS } from '@bufbuild/re2';

/**
 * The regular-expression engine of the ahead-of-time schema validators (`pattern`) and of CEL `matches()`: RE2, the
 * syntax the API server uses (Go regexp: `(?i)` works, backreferences do not). The generated validators in
 * imports/validators require it by this path; do not move it.
 */
export const re2 = Object.assign((pattern: string) => {
  // Compiled on first use: a validator module creates all its patterns when it loads, and most never meet a value.
  let compiled: RE2JS | undefined;
  return { test: (s: string) => (compiled ??= RE2JS.compile(pattern)).test(s), toString: () => pattern };
}, { code: 'require("../../../../lib/policy/re2").re2' });
