// The generated app as data: a list of statements over a few expression forms. typescript.ts prints it as TypeScript
// and evaluate.ts runs it with the library itself, so the file a user gets and the spec adopt checks, synthesizes and
// diffs are one thing. Every string of the input reaches the source only as a quoted literal or a comment line.

/** The modules the generated file imports from. */
export type Module = 'cdk8s' | 'cdk8s-secure-tls';

/** An expression of the generated file. */
export type Expr =
  | { readonly k: 'lit'; readonly v: string | number | boolean }
  | { readonly k: 'arr'; readonly items: readonly Expr[] }
  | { readonly k: 'obj'; readonly props: readonly Prop[] }
  /** An export of a module, or one of its static members: `EdgeKind.TRAEFIK`, `TlsStackChart`. */
  | { readonly k: 'sym'; readonly module: Module; readonly name: string; readonly member?: string }
  | { readonly k: 'new'; readonly cls: Expr; readonly args: readonly Expr[] }
  /** `target.method(args)`: `AcmeSolver.http01Ingress({...})`, `Duration.seconds(3600)`. */
  | { readonly k: 'call'; readonly target: Expr; readonly method: string; readonly args: readonly Expr[] }
  | { readonly k: 'var'; readonly name: string }
  /** `target.name`, typed as `as` when given: `shop.edge as NginxIngressEdge`. */
  | { readonly k: 'get'; readonly target: Expr; readonly name: string; readonly as?: Expr };

/** A property of an object literal, with an optional trailing comment (a TODO for the reviewer). */
export interface Prop {
  readonly key: string;
  readonly value: Expr;
  readonly note?: string;
}

/** One statement of the generated function: `const bind = value;` or `value;`, after its comment lines. */
export interface Statement {
  readonly bind?: string;
  readonly value: Expr;
  readonly comment?: readonly string[];
}

/** The generated file: a header comment and the body of one exported function of `app`. */
export interface Program {
  readonly header: readonly string[];
  readonly body: readonly Statement[];
}

/** A plain value (or an expression) as an expression; `undefined` properties are left out. */
export type Value = Expr | string | number | boolean | readonly Value[] | { readonly [key: string]: Value | undefined };

/** The expressions the builders below made: a plain object of the input (an env map with a key "k") is never taken for one. */
const made = new WeakSet<object>();
const mk = <E extends Expr>(e: E): E => { made.add(e); return e; };

export function val(x: Value): Expr {
  if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return mk({ k: 'lit', v: x });
  if (Array.isArray(x)) return mk({ k: 'arr', items: x.map(val) });
  if (made.has(x as object)) return x as Expr;
  return obj(x as { readonly [key: string]: Value | undefined });
}

/** An object literal; `notes` puts a trailing comment on a property. */
export function obj(props: { readonly [key: string]: Value | undefined }, notes: Record<string, string | undefined> = {}): Expr {
  return mk({ k: 'obj', props: Object.entries(props).filter(([, v]) => v !== undefined).map(([key, v]) => ({ key, value: val(v!), ...(notes[key] ? { note: notes[key] } : {}) })) });
}

export const lib = (name: string, member?: string): Expr => mk({ k: 'sym', module: 'cdk8s-secure-tls', name, ...(member ? { member } : {}) });
export const cdk8s = (name: string, member?: string): Expr => mk({ k: 'sym', module: 'cdk8s', name, ...(member ? { member } : {}) });
export const construct = (cls: Expr, ...args: Value[]): Expr => mk({ k: 'new', cls, args: args.map(val) });
export const call = (target: Expr, method: string, ...args: Value[]): Expr => mk({ k: 'call', target, method, args: args.map(val) });
export const ref = (name: string): Expr => mk({ k: 'var', name });
export const get = (target: Expr, name: string, as?: Expr): Expr => mk({ k: 'get', target, name, ...(as ? { as } : {}) });

/** Every `sym` of an expression (what the file imports). */
export function symbols(e: Expr): Array<Extract<Expr, { k: 'sym' }>> {
  switch (e.k) {
    case 'sym': return [e];
    case 'arr': return e.items.flatMap(symbols);
    case 'obj': return e.props.flatMap((p) => symbols(p.value));
    case 'new': return [...symbols(e.cls), ...e.args.flatMap(symbols)];
    case 'call': return [...symbols(e.target), ...e.args.flatMap(symbols)];
    case 'get': return [...symbols(e.target), ...(e.as ? symbols(e.as) : [])];
    default: return [];
  }
}

/** Every variable an expression reads. */
export function variables(e: Expr): string[] {
  switch (e.k) {
    case 'var': return [e.name];
    case 'arr': return e.items.flatMap(variables);
    case 'obj': return e.props.flatMap((p) => variables(p.value));
    case 'new': return [...variables(e.cls), ...e.args.flatMap(variables)];
    case 'call': return [...variables(e.target), ...e.args.flatMap(variables)];
    case 'get': return variables(e.target);
    default: return [];
  }
}

const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in '
  + 'instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public '
  + 'static yield await any boolean constructor declare get module require number set string symbol type from of undefined app').split(' '));

/** A fresh identifier for `name` (`letsencrypt-prod` → `letsencryptProd`), unique among `taken` (which it joins). */
export function identifier(name: string, taken: Set<string>): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let id = words.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w[0].toLowerCase() + w.slice(1))).join('') || 'x';
  if (/^[0-9]/.test(id) || RESERVED.has(id)) id = `_${id}`;
  let unique = id;
  for (let i = 2; taken.has(unique); i++) unique = `${id}${i}`;
  taken.add(unique);
  return unique;
}
