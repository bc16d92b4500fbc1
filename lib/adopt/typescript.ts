import { Expr, Module, Program, Statement, symbols, variables } from './code';

// The generated app as TypeScript source: imports from the package root and cdk8s only, one exported function that
// adds the adopted charts to an App, and a main that synthesizes them when the file is run (`cdk8s synth` with
// `app: npx ts-node <file>`). It compiles under cdk8s's typescript-app template (strict, noUnusedLocals, ES2016 lib).

/** Name of the exported function of the generated file. */
export const ENTRY = 'addAdoptedCharts';

/** First line of every file adopt writes: adopt overwrites a file only while it still starts with it. */
export const ADOPT_MARKER = 'Adopted by cdk8s-tls adopt';

const WIDTH = 120;

/** The source of the generated file. */
export function printProgram(program: Program): string {
  const imports = importLines(program.body);
  const used = new Set(program.body.flatMap((s) => variables(s.value)));
  const body = program.body.map((s) => printStatement(s, used)).join('\n');
  return [
    ...program.header.map(comment),
    ...imports,
    '',
    `/** Adds the adopted issuers and stacks to \`app\`. */`,
    `export function ${ENTRY}(app: App): void {`,
    body,
    '}',
    '',
    'if (require.main === module) {',
    '  const app = new App();',
    `  ${ENTRY}(app);`,
    '  app.synth();',
    '}',
    '',
  ].join('\n');
}

function importLines(body: readonly Statement[]): string[] {
  const names: Record<Module, Set<string>> = { 'cdk8s': new Set(['App']), 'cdk8s-secure-tls': new Set() };
  for (const s of body) for (const sym of symbols(s.value)) names[sym.module].add(sym.name);
  return (['cdk8s', 'cdk8s-secure-tls'] as const).filter((m) => names[m].size)
    .map((m) => `import { ${[...names[m]].sort().join(', ')} } from '${m}';`);
}

function printStatement(s: Statement, used: Set<string>): string {
  const lines = (s.comment ?? []).map((c) => `  ${comment(c)}`);
  const head = s.bind && used.has(s.bind) ? `const ${s.bind} = ` : '';
  lines.push(`  ${head}${print(s.value, '  ', head.length)};`);
  return lines.join('\n');
}

/** A `//` comment line: one line, whatever the text holds. */
function comment(text: string): string {
  return `// ${text.replace(/[\r\n\u2028\u2029]+/g, ' ')}`.trimEnd();
}

/** A single-quoted string literal. */
export function quote(s: string): string {
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'").replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : quote(k));

/** The expression on one line, or undefined when it carries a comment (then it is printed over several). */
function inline(e: Expr): string | undefined {
  switch (e.k) {
    case 'lit': return typeof e.v === 'string' ? quote(e.v) : String(e.v);
    case 'sym': return e.member ? `${e.name}.${e.member}` : e.name;
    case 'var': return e.name;
    case 'get': {
      const target = inline(e.target);
      const as = e.as && inline(e.as);
      return target === undefined ? undefined : as ? `(${target}.${e.name} as ${as})` : `${target}.${e.name}`;
    }
    case 'arr': return joined(e.items.map(inline), '[', ']');
    case 'obj': {
      if (e.props.some((p) => p.note)) return undefined;
      if (!e.props.length) return '{}';
      const props = e.props.map((p) => { const v = inline(p.value); return v === undefined ? undefined : `${key(p.key)}: ${v}`; });
      return props.every((p) => p !== undefined) ? `{ ${props.join(', ')} }` : undefined;
    }
    case 'new':
    case 'call': {
      const head = e.k === 'new' ? `new ${inline(e.cls)}` : `${inline(e.target)}.${e.method}`;
      return joined(e.args.map(inline), `${head}(`, ')');
    }
  }
}

function joined(parts: Array<string | undefined>, open: string, close: string): string | undefined {
  return parts.every((p) => p !== undefined) ? `${open}${parts.join(', ')}${close}` : undefined;
}

/** The expression at `indent`, on one line when it fits in the width left after `used` characters. */
function print(e: Expr, indent: string, used = 0): string {
  const one = inline(e);
  if (one !== undefined && indent.length + used + one.length <= WIDTH) return one;
  const inner = `${indent}  `;
  switch (e.k) {
    case 'obj':
      return `{\n${e.props.map((p) => `${inner}${key(p.key)}: ${print(p.value, inner, p.key.length + 2)},${p.note ? ` ${comment(p.note)}` : ''}`).join('\n')}\n${indent}}`;
    case 'arr':
      return `[\n${e.items.map((x) => `${inner}${print(x, inner)},`).join('\n')}\n${indent}]`;
    case 'new':
    case 'call': {
      const head = e.k === 'new' ? `new ${inline(e.cls)}` : `${inline(e.target)}.${e.method}`;
      const first = e.args.slice(0, -1).map(inline);
      const last = e.args[e.args.length - 1];
      // `new TlsStackChart(app, 'shop', {` ... `})`: the leading arguments inline, the last one opens a block.
      if (last && first.every((a) => a !== undefined) && (last.k === 'obj' || last.k === 'arr')) {
        const lead = `${head}(${[...first, ''].join(', ')}`;
        return `${lead}${print(last, indent, lead.length)})`;
      }
      return `${head}(\n${e.args.map((a) => `${inner}${print(a, inner)},`).join('\n')}\n${indent})`;
    }
    default:
      return one ?? '';
  }
}
