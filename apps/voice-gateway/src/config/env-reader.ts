/**
 * Typed reads of one environment map, collecting every problem instead of stopping at the first, so a misconfigured
 * deployment gets one message listing all of them. Values are trimmed; an empty string counts as unset (the
 * `.env.example` style `KEY=` leaves variables present but empty).
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  str(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  strOr(name: string, fallback: string): string {
    return this.str(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < min || n > max) {
      this.problems.push(`${name} must be an integer in [${min}, ${max}], got '${raw}'`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false, got '${raw}'`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: undefined): T | undefined;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
    const raw = this.str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(' | ')}, got '${raw}'`);
    return fallback;
  }

  /** An absolute URL with one of `schemes`; returned without a trailing slash. */
  url(name: string, schemes: readonly string[]): string | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!schemes.includes(u.protocol.replace(/:$/, ''))) throw new Error('scheme');
      return raw.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name} must be an absolute ${schemes.join('/')} URL, got '${raw}'`);
      return undefined;
    }
  }

  /** Records a problem when `value` is missing; returns it (or '' so callers can go on collecting problems). */
  require(name: string, value: string | undefined, why: string): string {
    if (value === undefined) this.problems.push(`${name} is required ${why}`);
    return value ?? '';
  }
}
