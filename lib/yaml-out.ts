import { dump } from 'js-yaml';

/**
 * The YAML of the documents a synth writes: js-yaml's block output, byte for byte, in a fraction of its time. The
 * structure (mappings, sequences, indentation) is written here as js-yaml writes it (dumper.js: writeBlockMapping,
 * writeBlockSequence); each scalar is rendered by js-yaml itself, once, and remembered: keys and values recur across
 * documents, and js-yaml's per-scalar work (the quoting rules, the check that a plain string would not read back as
 * another type) is most of its time. A document holding what this does not handle — a string with a line break or over
 * 1,000 characters or a key over 1,024 once quoted (block scalars and explicit keys depend on position), `-0`, a value
 * JSON does not have — is dumped by js-yaml whole. A property test holds the two byte-identical (test/lib/yaml-out.test.ts).
 */

/** YAML 1.1-safe like cdk8s's own output (`"on"`, `"yes"` stay quoted strings for kubectl); no anchors; no folding. */
export const YAML_OPTIONS = { noRefs: true, lineWidth: -1, quotingType: '"' } as const;

const scalars = new Map<string | number | boolean | null, string>();
const SCALARS_MAX = 100_000;
const indents: string[] = [];
const indent = (level: number) => (indents[level] ??= `\n${'  '.repeat(level)}`);

/** Thrown where this writer stops: the document goes to js-yaml whole. */
const UNHANDLED = new Error('yaml-out: not handled here');

function scalar(v: string | number | boolean | null): string {
  if (v === 0 && Object.is(v, -0)) throw UNHANDLED; // a Map holds -0 and 0 as one key
  let out = scalars.get(v);
  if (out === undefined) {
    if (typeof v === 'string' && (v.length > 1000 || v.includes('\n'))) throw UNHANDLED;
    out = dump(v, YAML_OPTIONS).slice(0, -1);
    if (scalars.size >= SCALARS_MAX) scalars.clear();
    scalars.set(v, out);
  }
  return out;
}

/** One node at `level`, as js-yaml's writeNode in block mode (`compact`: the first line continues the parent's). */
function node(v: unknown, level: number, compact: boolean): string {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return scalar(v);
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    let out = '';
    for (const item of v) {
      // js-yaml writes an undefined item as null.
      const d = node(item === undefined ? null : item, level + 1, true);
      if (!compact || out) out += indent(level);
      out += `- ${d}`;
    }
    return out;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let out = '';
    for (const key of Object.keys(v)) {
      const value = (v as Record<string, unknown>)[key];
      if (value === undefined) continue; // js-yaml leaves the pair out
      const k = scalar(key);
      if (k.length > 1024) throw UNHANDLED; // js-yaml writes an explicit `? ` key past 1,024 characters, quoted
      const d = node(value, level + 1, false);
      if (!compact || out) out += indent(level);
      out += d.charCodeAt(0) === 10 ? `${k}:${d}` : `${k}: ${d}`;
    }
    return out || '{}';
  }
  throw UNHANDLED;
}

/** One YAML document, exactly as `dump(doc, YAML_OPTIONS)` writes it. */
export function yamlDocument(doc: unknown): string {
  try {
    return `${node(doc, 0, true)}\n`;
  } catch (e) {
    if (e !== UNHANDLED) throw e;
    return dump(doc, YAML_OPTIONS);
  }
}
