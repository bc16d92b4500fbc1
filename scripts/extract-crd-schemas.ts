// Writes imports/schemas/<group>.json: { "<apiVersion>/<kind>": openAPIV3Schema } for every served version of
// every CRD in the given files. Run by scripts/import-crds.sh; the output is committed with the typed classes.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const [out, ...files] = process.argv.slice(2);
const schemas: Record<string, unknown> = {};
for (const file of files) {
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const v of crd.spec.versions) {
      if (v.served) schemas[`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`] = v.schema.openAPIV3Schema;
    }
  }
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(Object.fromEntries(Object.entries(schemas).sort())) + '\n');
console.log(`${out}: ${Object.keys(schemas).sort().join(', ')}`);
