import KeyvSqlite from '@keyv/sqlite';

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** `group`: sets made together by `setMany`, committed all or none. */
type SetWrite = { kind: 'set'; key: string; value: string; seq: number; group: number; done: Settle<void> };
type Write =
  | SetWrite
  | { kind: 'delete'; keys: string[]; seq: number; done: Settle<boolean> }
  | { kind: 'clear'; seq: number; done: Settle<void> }
  /** Settles once every write made before it has been applied. */
  | { kind: 'barrier'; seq: number; done: Settle<void> };

function deferred<T>(): { promise: Promise<T>; settle: Settle<T> } {
  let settle!: Settle<T>;
  const promise = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, settle };
}

/**
 * The keyv SQLite adapter with group commit: writes are applied in the order they were made,
 * but every `set` that arrives while the previous commit is still running joins the next one, so
 * a burst of N interactions costs far fewer transactions than one per key. A set resolves only
 * once its transaction committed, so awaiting a write still means it is durable.
 */
export class GroupCommitSqlite extends KeyvSqlite {
  private readonly queue: Write[] = [];
  /**
   * The newest value written to each key but not yet committed (undefined: deleted), so a read
   * never goes back in time. `seq` says which write it came from, so an older commit keeps it.
   */
  private readonly unsettled = new Map<string, { value: string | undefined; seq: number }>();
  private seq = 0;
  private writing = false;

  override async get<Value>(key: string): Promise<Value | undefined> {
    const pending = this.unsettled.get(key);
    if (pending) return pending.value as Value | undefined;
    return super.get<Value>(key);
  }

  override async getMany<Value>(keys: string[]): Promise<Array<Value | undefined>> {
    // Taken before reading, so a commit landing during the read cannot make it older than `get`.
    const pending = keys.map((key) => this.unsettled.get(key));
    const unread = keys.filter((_key, i) => pending[i] === undefined);
    const stored = unread.length > 0 ? await super.getMany<Value>(unread) : [];
    let next = 0;
    return keys.map((_key, i) => {
      const written = pending[i];
      return written ? (written.value as Value | undefined) : (stored[next++] as Value | undefined);
    });
  }

  override async has(key: string): Promise<boolean> {
    const pending = this.unsettled.get(key);
    return pending ? pending.value !== undefined : super.has(key);
  }

  override set(key: string, value: unknown): Promise<void> {
    const seq = ++this.seq;
    const written = this.enqueueSet(key, value, seq, seq);
    this.startWriting();
    return written;
  }

  /** Several keys in one transaction: a reader after it sees all of them, a crash none. */
  async setMany(entries: Array<{ key: string; value: unknown }>): Promise<boolean[]> {
    const group = this.seq + 1;
    const written = entries.map(({ key, value }) => this.enqueueSet(key, value, ++this.seq, group));
    this.startWriting();
    await Promise.all(written);
    return entries.map(() => true);
  }

  private enqueueSet(key: string, value: unknown, seq: number, group: number): Promise<void> {
    // keyv hands adapters without TTL support its own serialised string (value + expiry).
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const { promise, settle } = deferred<void>();
    this.queue.push({ kind: 'set', key, value: text, seq, group, done: settle });
    this.unsettled.set(key, { value: text, seq });
    return promise;
  }

  override delete(key: string): Promise<boolean> {
    return this.enqueueDelete([key]);
  }

  override deleteMany(keys: string[]): Promise<boolean> {
    return this.enqueueDelete(keys);
  }

  override clear(): Promise<void> {
    const { promise, settle } = deferred<void>();
    const seq = ++this.seq;
    this.queue.push({ kind: 'clear', seq, done: settle });
    // Writes made before the clear are wiped by it; readers see that at once.
    for (const key of this.unsettled.keys()) this.unsettled.set(key, { value: undefined, seq });
    this.startWriting();
    return promise;
  }

  override async disconnect(): Promise<void> {
    const { promise, settle } = deferred<void>();
    this.queue.push({ kind: 'barrier', seq: ++this.seq, done: settle });
    this.startWriting();
    await promise;
    await super.disconnect();
  }

  private enqueueDelete(keys: string[]): Promise<boolean> {
    const { promise, settle } = deferred<boolean>();
    const seq = ++this.seq;
    this.queue.push({ kind: 'delete', keys, seq, done: settle });
    for (const key of keys) this.unsettled.set(key, { value: undefined, seq });
    this.startWriting();
    return promise;
  }

  private startWriting(): void {
    if (this.writing) return;
    this.writing = true;
    // A microtask's delay lets writes made in the same turn share a commit.
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        if (head === undefined || head.kind !== 'set') {
          this.queue.shift();
          if (head) await this.applyOther(head);
          continue;
        }
        const end = this.queue.findIndex((w) => w.kind !== 'set');
        const sets = this.queue.splice(0, end === -1 ? this.queue.length : end).filter((w): w is SetWrite => w.kind === 'set');
        await this.applySets(sets);
      }
    } finally {
      this.writing = false;
    }
  }

  private async applySets(sets: SetWrite[]): Promise<void> {
    try {
      await this.upsert(sets);
      for (const write of sets) write.done.resolve();
    } catch (error) {
      const groups = new Map<number, SetWrite[]>();
      for (const write of sets) groups.set(write.group, [...(groups.get(write.group) ?? []), write]);
      if (groups.size === 1) for (const write of sets) write.done.reject(error);
      // One bad write must not fail the others that happened to share its commit.
      else for (const group of groups.values()) await this.applySets(group);
    } finally {
      for (const write of sets) this.settled(write.key, write.seq);
    }
  }

  private async upsert(sets: SetWrite[]): Promise<void> {
    // The last value of each key wins, as it would have one statement after another.
    const latest = new Map<string, string>();
    for (const write of sets) latest.set(write.key, write.value);
    await this.query(
      `INSERT INTO ${this.opts.table} (key, value)
        SELECT json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]') FROM json_each(?) AS e WHERE true
        ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      JSON.stringify([...latest]),
    );
  }

  private async applyOther(write: Exclude<Write, SetWrite>): Promise<void> {
    try {
      if (write.kind === 'delete') write.done.resolve(await this.deleteNow(write.keys));
      else if (write.kind === 'clear') write.done.resolve(await super.clear());
      else write.done.resolve();
    } catch (error) {
      write.done.reject(error);
    } finally {
      if (write.kind === 'delete') for (const key of write.keys) this.settled(key, write.seq);
      if (write.kind === 'clear') for (const [key, entry] of this.unsettled) if (entry.seq === write.seq) this.unsettled.delete(key);
    }
  }

  /** True when at least one of the keys was there. Straight SQL: the inherited methods read through `get`. */
  private async deleteNow(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    const list = JSON.stringify(keys);
    const inList = `key IN (SELECT value FROM json_each(?))`;
    const found = (await this.query(`SELECT key FROM ${this.opts.table} WHERE ${inList}`, list)) as unknown[];
    if (found.length === 0) return false;
    await this.query(`DELETE FROM ${this.opts.table} WHERE ${inList}`, list);
    return true;
  }

  /** The write numbered `seq` is in the table (or failed): readers go back to the table unless a newer one waits. */
  private settled(key: string, seq: number): void {
    if (this.unsettled.get(key)?.seq === seq) this.unsettled.delete(key);
  }
}
