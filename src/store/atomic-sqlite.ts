import KeyvSqlite from '@keyv/sqlite';

/**
 * The keyv SQLite adapter plus an atomic `setMany`: every entry goes in one upsert statement, so
 * one transaction; a crash or a failing disk leaves all of them or none. (The stock adapter has no
 * `setMany`, and keyv then writes the entries one by one.)
 */
export class AtomicSqlite extends KeyvSqlite {
  async setMany(entries: Array<{ key: string; value: unknown }>): Promise<boolean[]> {
    if (entries.length === 0) return [];
    // keyv hands adapters without TTL support its own serialised string (value + expiry). The
    // last value of a key listed twice wins, as it would one statement after another.
    const latest = new Map<string, string>();
    for (const { key, value } of entries) latest.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    await this.query(
      `INSERT INTO ${this.opts.table} (key, value)
        SELECT json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]') FROM json_each(?) AS e WHERE true
        ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      JSON.stringify([...latest]),
    );
    return entries.map(() => true);
  }
}
