import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { describeStoreContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'hvb-store-'));
const sqliteUrl = `sqlite://${join(dir, 'contract.sqlite')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('memory', () => openStore('memory://'));
describeStoreContract(
  'SQLite',
  () => openStore(sqliteUrl),
  () => openStore(sqliteUrl),
);
