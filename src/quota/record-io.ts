import type Keyv from 'keyv';
import type { z } from 'zod';

/** A stored quota record that does not match its schema: a bug or a hand-edited store. */
export class QuotaRecordError extends Error {
  override readonly name = 'QuotaRecordError';
  constructor(
    readonly key: string,
    readonly issues: string[],
  ) {
    super(`Stored quota record ${key} is malformed: ${issues.join('; ')}`);
  }
}

/**
 * Reads `key` and checks it against `schema`. A malformed record throws rather than falling back
 * to defaults, because silently resetting a budget or policy would loosen what an admin set.
 */
export async function readValidated<S extends z.ZodType>(kv: Keyv, key: string, schema: S): Promise<z.output<S> | undefined> {
  return validated(key, await kv.get(key), schema);
}

/**
 * Checks a record already read (`raw`, as the store returned it for `key`) against `schema`, as
 * {@link readValidated} does: undefined when there is none.
 *
 * @throws QuotaRecordError for a malformed record.
 */
export function validated<S extends z.ZodType>(key: string, raw: unknown, schema: S): z.output<S> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new QuotaRecordError(
      key,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  return parsed.data;
}

/**
 * Writes `value` under `key`. keyv reports a failed write as `false` instead of throwing; for quota
 * a lost write is a lost charge or a budget that never shrinks, so it becomes an error here.
 */
export async function writeChecked(kv: Keyv, key: string, value: unknown, ttlMs?: number): Promise<void> {
  if (!(await kv.set(key, value, ttlMs))) throw new Error(`store write failed: ${key}`);
}
