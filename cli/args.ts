// A small, strict argv parser: known options only, repeated options collected, clear messages.

export interface OptionSpec {
  /** Takes a value (`--out FILE`), else a flag. */
  value?: boolean;
  /** May be given more than once; values collected in order. */
  repeat?: boolean;
}

export interface ParsedArgs {
  positional: string[];
  options: Record<string, string[]>;
  flags: Set<string>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Bad input already reported on stderr: exit 2 without another message. */
export class ImportFailed extends Error {}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const out: ParsedArgs = { positional: [], options: {}, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (!s.value) {
      out.flags.add(name);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    const list = (out.options[name] ??= []);
    if (list.length > 0 && !s.repeat) throw new UsageError(`--${name} given more than once`);
    list.push(value);
  }
  return out;
}

export function single(args: ParsedArgs, name: string): string | undefined {
  return args.options[name]?.[0];
}

export function numberOption(args: ParsedArgs, name: string, check: (n: number) => boolean, expected: string): number | undefined {
  const raw = single(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: found "${raw}"; expected ${expected}`);
  return n;
}
