import { describe, expect, it } from 'vitest';
import { csvField, exportFilename, ledgerCsv } from '../../src/quota/ledger-csv.js';

describe('ledger CSV', () => {
  it('GIVEN fields with commas, quotes, line breaks or a formula start THEN a spreadsheet reads each as one plain value', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField(-2)).toBe('-2');
    expect(csvField(null)).toBe('');
  });

  it('GIVEN ledger lines THEN one CRLF row each under the promised header, time in ISO 8601 UTC', () => {
    const csv = ledgerCsv([
      {
        at: Date.UTC(2026, 10, 30, 8, 5, 1),
        userId: '42',
        jobId: 'j1',
        cost: 2,
        outcome: 'undelivered',
        model: 'MiniMax-Hailuo-2.3',
        resolution: '768p',
        duration: 10,
        taskId: 'task_1',
      },
      {
        at: Date.UTC(2026, 10, 30, 9),
        userId: '43',
        jobId: 'j2',
        cost: 1,
        outcome: 'released',
        model: null,
        resolution: null,
        duration: null,
        taskId: null,
      },
    ]);
    expect(csv).toBe(
      'time,member_id,job_id,model,resolution,duration,credits,outcome,task_id\r\n' +
        '2026-11-30T08:05:01.000Z,42,j1,MiniMax-Hailuo-2.3,768p,10,2,undelivered,task_1\r\n' +
        '2026-11-30T09:00:00.000Z,43,j2,,,,1,released,\r\n',
    );
    expect(exportFilename('123', Date.UTC(2026, 10, 23))).toBe('usage-123-2026-11-23.csv');
  });
});
