import { createHash } from 'crypto';
import { CelScalar, celEnv, celFunc, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';
import { ipFamily } from './validation';

/**
 * The CEL `x-kubernetes-validations` rules of the upstream CRDs, evaluated the way the API server does (Kubernetes CEL:
 * the standard library, the strings extension, `isIP` from the IP library, RE2 `matches`), so a manifest the API server
 * would reject fails the checks instead. Transition rules (`oldSelf`) are left out when the validators are generated: a
 * manifest has no old object. A rule that uses a function this evaluator lacks is reported, never guessed.
 */

/** A place in a schema that carries CEL rules: the path from the root (property names, `[]` list items, `{}` map values). */
export interface CelSite {
  readonly path: string[];
  readonly rules: CelRule[];
}

/** One rule: its text and its message. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
}

type Program = (bindings: { self: unknown }) => unknown;

let env: ReturnType<typeof celEnv> | undefined;
const regexps = new Map<string, RE2JS>();
/** The environment, made on the first rule that applies (most documents carry none). */
function celEnvironment() {
  env ??= celEnv({
    funcs: [...strings, celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s: string) => ipFamily(s) !== 0)],
    variables: { self: CelScalar.DYN },
    // matches() asks for its pattern on every call: each is compiled once.
    re2: { compile: (pattern: string) => regexps.get(pattern) ?? regexps.set(pattern, RE2JS.compile(pattern)).get(pattern)! },
  });
  return env;
}

/** A rule parsed and planned once, and its number (for the results cache). */
interface Planned {
  readonly id: number;
  readonly run: Program | Error;
}
const programs = new Map<string, Planned>();
function program({ rule }: CelRule): Planned {
  let p = programs.get(rule);
  if (!p) {
    let run: Program | Error;
    try {
      run = plan(celEnvironment(), parse(rule)) as unknown as Program;
    } catch (e) {
      run = e as Error;
    }
    programs.set(rule, (p = { id: programs.size, run }));
  }
  return p;
}

/**
 * Results by rule and value: a rule's result depends only on the value it is given (Kubernetes CEL has no clock or
 * state), and the same listeners, routes and filters recur across documents. Keyed by {@link valueKey}; cleared when full.
 */
const results = new Map<string, unknown>();
const RESULTS_MAX = 50_000;

/** JSON → CEL input: integers become CEL ints (bigint), as the API server types them from the schema. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

/**
 * Every value at a site's path, with its field path (`spec.rules[0].filters`), into `out`: a plain recursion (a
 * generator per level cost more than the walk, for every site of every document).
 */
function collect(value: unknown, path: string[], i: number, field: string, out: Array<[unknown, string]>): void {
  if (value === undefined || value === null) return;
  if (i === path.length) {
    out.push([value, field || '<root>']);
    return;
  }
  const head = path[i];
  if (head === '[]') {
    if (Array.isArray(value)) for (let k = 0; k < value.length; k++) collect(value[k], path, i + 1, `${field}[${k}]`, out);
  } else if (head === '{}') {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value as object)) collect(v, path, i + 1, `${field}[${JSON.stringify(k)}]`, out);
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    collect((value as Record<string, unknown>)[head], path, i + 1, field ? `${field}.${head}` : head, out);
  }
}

/** A value's key in the results cache: its JSON when short, a SHA-1 of it when long (so a large value costs no memory). */
function valueKey(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length <= 64 ? `j${json}` : `h${createHash('sha1').update(json).digest('base64')}`;
}

/** The rules that do not hold, and those that could not be evaluated. `doc` must already carry the schema defaults. */
export function celErrors(doc: unknown, sites: CelSite[]): { cel: Array<{ field: string; message: string }>; celUnknown: Array<{ field: string; message: string }> } {
  const cel: Array<{ field: string; message: string }> = [];
  const celUnknown: Array<{ field: string; message: string }> = [];
  const values: Array<[unknown, string]> = [];
  for (const site of sites) {
    values.length = 0;
    collect(doc, site.path, 0, '', values);
    for (const [value, field] of values) {
      const digest = valueKey(value);
      let self: unknown;
      for (const r of site.rules) {
        const { rule, message } = r;
        const { id, run } = program(r);
        const key = `${id} ${digest}`;
        let result = results.get(key);
        if (result === undefined) {
          result = run instanceof Error ? run : run({ self: (self ??= toCel(value)) });
          if (results.size >= RESULTS_MAX) results.clear();
          results.set(key, result);
        }
        if (result === true) continue;
        if (result === false) cel.push({ field, message: message ?? `failed rule: ${rule}` });
        else celUnknown.push({ field, message: `rule not evaluated (${result instanceof Error || isCelError(result) ? (result as Error).message : `result ${String(result)}`}): ${rule}` });
      }
    }
  }
  return { cel, celUnknown };
}
