// The validators' large subschemas become shared definitions (scripts/compile-schemas.ts, shareLarge): a document gets
// exactly the errors, and the defaults, it gets from the schema compiled whole.
import Ajv from 'ajv';
import fc from 'fast-check';
import { forAjv, shareLarge } from '../../scripts/compile-schemas';

/** A filter object as CRDs repeat them (HTTPRoute rules[].filters and backendRefs[].filters): large, with a default. */
const filter = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['RequestHeaderModifier', 'RequestRedirect', 'URLRewrite'] },
    mode: { type: 'string', default: 'Replace' },
    ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`field${i}`, {
      type: 'object', description: 'x'.repeat(40),
      properties: { name: { type: 'string', maxLength: 8, pattern: '^[a-z]+$' }, value: { type: 'integer', minimum: 0 } },
    }])),
    // What makes it large (over 4 KB) at little cost to compile: one long pattern rather than many more fields.
    note: { type: 'string', pattern: `^(${Array.from({ length: 500 }, (_, i) => `v${i}`).join('|')})$` },
    port: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
  },
};
const crdSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        rules: { type: 'array', items: { type: 'object', properties: { filters: { type: 'array', items: filter }, backendRefs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, filters: { type: 'array', items: filter } } } } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        // Large, but with a default of its own (read from where it stands) or a branch of anyOf (no defaults there):
        // both stay inline.
        defaulted: { ...filter, default: { type: 'RequestRedirect' } },
        either: { anyOf: [filter, { type: 'string' }] },
      },
    },
  },
};

const compile = (schema: object, inlineRefs: boolean) => new Ajv({ strict: false, allErrors: true, validateFormats: false, useDefaults: true, inlineRefs }).compile(schema);
const outcome = (validate: ReturnType<typeof compile>, doc: unknown) => {
  const copy = JSON.parse(JSON.stringify(doc));
  const valid = validate(copy);
  return { valid, copy, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${e.message} ${JSON.stringify(e.params)}`).sort() };
};

test('large subschemas are shared definitions: same errors and defaults as the schema compiled whole', () => {
  const whole = forAjv(crdSchema);
  const shared = shareLarge(whole);
  // The filter appears twice and is stored once, referenced from both places (sizes are measured after the parts inside
  // are shared, so what holds the references stays inline).
  const names = Object.entries(shared.definitions).filter(([, d]) => JSON.stringify(d) === JSON.stringify(forAjv(filter, false))).map(([n]) => n);
  expect(names).toHaveLength(1);
  expect(JSON.stringify(shared).split(`"#/definitions/${names[0]}"`).length - 1).toBe(2);
  const [a, b] = [compile(whole, true), compile(shared, false)];
  const field = fc.record({ name: fc.oneof(fc.constantFrom('ab', 'toolongname', 'A1'), fc.integer()), value: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.string()) }, { requiredKeys: [] });
  const filterDoc = fc.record({
    type: fc.constantFrom('RequestHeaderModifier', 'Nope', 3),
    mode: fc.constantFrom('Append', undefined),
    field3: field, field7: field,
    note: fc.constantFrom('v1', 'v499', 'v500'),
    port: fc.oneof(fc.integer(), fc.string(), fc.boolean()),
    bogus: fc.constant(1),
  }, { requiredKeys: [] });
  const doc = fc.record({
    apiVersion: fc.constant('x/v1'), kind: fc.constant('X'),
    spec: fc.record({ either: fc.oneof(filterDoc, fc.string()), rules: fc.array(fc.record({ filters: fc.array(filterDoc, { maxLength: 2 }), backendRefs: fc.array(fc.record({ name: fc.string(), filters: fc.array(filterDoc, { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] }),
  }, { requiredKeys: ['apiVersion', 'kind'] });
  let invalid = 0;
  fc.assert(fc.property(doc, (d) => {
    const [x, y] = [outcome(a, d), outcome(b, d)];
    expect(y).toEqual(x);
    if (!x.valid) invalid++;
  }), { numRuns: 100, seed: 42 });
  expect(invalid).toBeGreaterThan(30); // the documents did reach the shared parts' errors
});
