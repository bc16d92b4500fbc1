import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { dump, loadAll } from 'js-yaml';
import { YAML_OPTIONS, yamlDocument } from '../../lib/yaml-out';

// lib/yaml-out.ts writes what js-yaml writes, byte for byte: js-yaml is the oracle, for the shipped documents and for
// values made to hit every quoting rule (type look-alikes, indicators, YAML 1.1 booleans, escapes, line breaks, long
// strings, empty collections, undefined).
const root = path.join(__dirname, '..', '..');

test('every shipped document is written exactly as js-yaml writes it', () => {
  const docs = ['dev', 'staging', 'prod'].flatMap((env) => fs.readdirSync(path.join(root, 'dist', env)).filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => loadAll(fs.readFileSync(path.join(root, 'dist', env, f), 'utf8')).filter(Boolean)));
  expect(docs.length).toBeGreaterThan(200);
  for (const doc of docs) expect(yamlDocument(doc)).toBe(dump(doc, YAML_OPTIONS));
});

test('any JSON-like value is written exactly as js-yaml writes it', () => {
  const tricky = fc.constantFrom(
    '', ' ', ' a', 'a ', 'yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'False', 'null', 'Null', '~', '-', '- a', '? x', ': x', 'a: b', 'a:b',
    'a #b', '#x', 'a#b', '0x1F', '0o17', '0b101', '017', '1e3', '1_000', '+1', '-1', '.5', '1.', '.inf', '-.Inf', '.NaN', '2024-01-01',
    '2024-01-01T10:00:00Z', '12:30:45', '1:20', '<<', '=', '@x', '`x', '|', '>', '!x', '&a', '*a', '%x', '"q"', "'q'", 'it\'s', 'a"b',
    'a\tb', 'tab\t', '\u0085', '\u00a0x', 'é', '😀', '\u2028', 'a\rb', 'a\nb', 'a\n', '\n', ' a\nb', 'x'.repeat(1001), `${'y'.repeat(1020)} z`,
    '[a]', '{a}', 'a,b', 'a]', 'a}', '...', '---', 'a\\b', '\\', 'app.kubernetes.io/name', 'nginx.ingress.kubernetes.io/ssl-redirect',
    'max-age=31536000; includeSubDomains', '*.example.com', '/etc/tls', '0440', '8080', '0', '-0', '1.0',
  );
  // Any code point, lone surrogates included (fast-check's unit 'binary' draws every code point but the surrogates, and
  // builds a map of all 1.1 million of them the first time it is used: about a second of every run of this file).
  const anyCodePoint = fc.nat(0x10ffff).map((cp) => String.fromCodePoint(cp));
  const text = fc.oneof(tricky, fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: anyCodePoint }));
  const number = fc.oneof(fc.integer(), fc.double({ noNaN: false }), fc.constantFrom(0, -0, 1e21, 2 ** 53, 0.1, -1.5e-7, Infinity));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, text, number, fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 4 }),
    object: fc.dictionary(text, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 4 }),
  }));
  // Keys that grow past 1,024 characters when quoted (js-yaml then writes `? key`).
  for (const key of ['"'.repeat(600), '\t'.repeat(600), '\u0001'.repeat(300), '\ufeff'.repeat(200), '\ud800'.repeat(200), 'k'.repeat(1024), 'k'.repeat(1025)]) {
    expect(yamlDocument({ [key]: 1, b: [{ [key]: 'x' }] })).toBe(dump({ [key]: 1, b: [{ [key]: 'x' }] }, YAML_OPTIONS));
  }
  fc.assert(fc.property(value, (v) => yamlDocument(v) === dump(v, YAML_OPTIONS)), { numRuns: Number(process.env.FC_RUNS ?? 1000), seed: Number(process.env.FC_SEED ?? 42) });
});
