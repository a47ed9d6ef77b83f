import KeyvSqlite, { type KeyvSqliteOptions } from '@keyv/sqlite';

type Write =
  | { kind: 'set'; key: string; value: string; seq: number; done: Settle<void> }
  | { kind: 'delete'; keys: string[]; seq: number; done: Settle<boolean> };

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

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
 * a burst of N interactions costs a handful of transactions instead of one per key. A set
 * resolves only once its transaction committed, so awaiting a write still means it is durable.
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

  constructor(options: KeyvSqliteOptions) {
    super(options);
  }

  override async get<Value>(key: string): Promise<Value | undefined> {
    const pending = this.unsettled.get(key);
    if (pending) return pending.value as Value | undefined;
    return super.get<Value>(key);
  }

  override async getMany<Value>(keys: string[]): Promise<Array<Value | undefined>> {
    const stored = await super.getMany<Value>(keys);
    return keys.map((key, i) => {
      const pending = this.unsettled.get(key);
      return pending ? (pending.value as Value | undefined) : (stored[i] as Value | undefined);
    });
  }

  override async has(key: string): Promise<boolean> {
    const pending = this.unsettled.get(key);
    return pending ? pending.value !== undefined : super.has(key);
  }

  override set(key: string, value: unknown): Promise<void> {
    // keyv hands adapters without TTL support its own serialised string (value + expiry).
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const { promise, settle } = deferred<void>();
    const seq = ++this.seq;
    this.queue.push({ kind: 'set', key, value: text, seq, done: settle });
    this.unsettled.set(key, { value: text, seq });
    this.startWriting();
    return promise;
  }

  override delete(key: string): Promise<boolean> {
    return this.enqueueDelete([key]);
  }

  override deleteMany(keys: string[]): Promise<boolean> {
    return this.enqueueDelete(keys);
  }

  override async clear(): Promise<void> {
    await this.flushed();
    await super.clear();
  }

  override async disconnect(): Promise<void> {
    await this.flushed();
    await super.disconnect();
  }

  /** Resolves once every write made so far has been applied (or has failed). */
  private async flushed(): Promise<void> {
    await this.enqueueDelete([]).catch(() => undefined);
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
    // A microtask's delay lets writes made in the same turn (one job's records) share a commit.
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        if (head?.kind === 'delete') {
          this.queue.shift();
          await this.applyDelete(head);
          continue;
        }
        const end = this.queue.findIndex((w) => w.kind !== 'set');
        const sets = this.queue.splice(0, end === -1 ? this.queue.length : end).filter((w) => w.kind === 'set');
        await this.applySets(sets);
      }
    } finally {
      this.writing = false;
    }
  }

  private async applySets(sets: Extract<Write, { kind: 'set' }>[]): Promise<void> {
    // The last value of each key wins, as it would have one statement after another.
    const latest = new Map<string, string>();
    for (const write of sets) latest.set(write.key, write.value);
    const rows = JSON.stringify([...latest]);
    const upsert = `INSERT INTO ${this.opts.table} (key, value)
      SELECT json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]') FROM json_each(?) AS e WHERE true
      ON CONFLICT(key) DO UPDATE SET value = excluded.value`;
    try {
      await this.query(upsert, rows);
      for (const write of sets) write.done.resolve();
    } catch (error) {
      for (const write of sets) write.done.reject(error);
    } finally {
      for (const write of sets) this.settled(write.key, write.seq);
    }
  }

  private async applyDelete(write: Extract<Write, { kind: 'delete' }>): Promise<void> {
    if (write.keys.length === 0) return write.done.resolve(true);
    try {
      write.done.resolve(write.keys.length === 1 ? await super.delete(write.keys[0] as string) : await super.deleteMany(write.keys));
    } catch (error) {
      write.done.reject(error);
    } finally {
      for (const key of write.keys) this.settled(key, write.seq);
    }
  }

  /** The write numbered `seq` is in the table (or failed): readers go back to the table unless a newer one waits. */
  private settled(key: string, seq: number): void {
    if (this.unsettled.get(key)?.seq === seq) this.unsettled.delete(key);
  }
}
