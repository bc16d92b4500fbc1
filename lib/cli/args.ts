import { parseArgs } from 'util';

// What every command of `cdk8s-tls` shares: where it writes, and how it reads its command line.

/** Where a command writes. */
export interface CliIo {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown };
}

/** A mistake in the command line: reported in one line, exit code 2. */
export class UsageError extends Error {}

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** Parsed flags (`--help` included) and positional arguments. */
export interface ParsedCommandLine<V> {
  readonly values: V & { readonly help?: boolean };
  readonly positionals: string[];
}

/** util.parseArgs in strict mode, with `-h/--help`; a bad command line throws {@link UsageError}. */
export function parseCommandLine<V>(args: string[], options: Options): ParsedCommandLine<V> {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as unknown as V & { readonly help?: boolean }, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}
