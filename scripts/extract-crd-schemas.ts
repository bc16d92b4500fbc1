// Writes imports/schemas/<group>.json: { "<apiVersion>/<kind>": openAPIV3Schema (descriptions dropped) } for every served version of
// every CRD in the given files. Run by scripts/import-crds.sh; the output is committed with the typed classes.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** Descriptions are documentation, not constraints: dropping them makes the schemas ~4x smaller to load and compile. */
function withoutDescriptions(schema: any): any {
  if (Array.isArray(schema)) return schema.map(withoutDescriptions);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'description').map(([k, v]) => [k, k === 'enum' || k === 'default' ? v : withoutDescriptions(v)]));
}

const [out, ...files] = process.argv.slice(2);
const schemas: Record<string, unknown> = {};
for (const file of files) {
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const v of crd.spec.versions) {
      if (v.served) schemas[`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`] = withoutDescriptions(v.schema.openAPIV3Schema);
    }
  }
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(Object.fromEntries(Object.entries(schemas).sort())) + '\n');
console.log(`${out}: ${Object.keys(schemas).sort().join(', ')}`);
