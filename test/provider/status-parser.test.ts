import { describe, expect, it } from 'vitest';
import { parseTaskStatus } from '../../src/provider/status-parser.js';

const URL_A = 'https://cdn.example.com/a.mp4';
const URL_B = 'https://cdn.example.com/b.mp4';

describe('parseTaskStatus — envelopes', () => {
  it('GIVEN the documented data object THEN every field is read', () => {
    const body = {
      code: 200,
      data: {
        id: 'task_1',
        status: 'completed',
        progress: 100,
        result: { videos: [{ url: [URL_A], expires_at: 1757242893 }] },
        created: 1757235000,
        completed: 1757235693,
        estimated_time: 60,
        actual_time: 19,
      },
    };
    expect(parseTaskStatus(body)).toEqual({
      phase: 'succeeded',
      rawStatus: 'completed',
      progress: 100,
      videoUrl: URL_A,
      videoExpiresAt: 1757242893000,
      estimatedTimeS: 60,
      actualTimeS: 19,
    });
  });

  it('GIVEN data as an array THEN its first element is the task', () => {
    expect(parseTaskStatus({ code: 200, data: [{ status: 'processing', progress: 40 }, { status: 'failed' }] })).toEqual({
      phase: 'running',
      rawStatus: 'processing',
      progress: 40,
    });
  });

  it('GIVEN a flat body THEN the top level is the task', () => {
    expect(parseTaskStatus({ task_id: 't', status: 'Success', video_url: URL_A })).toMatchObject({
      phase: 'succeeded',
      videoUrl: URL_A,
    });
  });

  it('GIVEN an envelope whose own status is not the task status THEN data wins', () => {
    expect(parseTaskStatus({ status: 'success', data: { status: 'queued' } })?.phase).toBe('queued');
  });

  it.each([
    ['status', { status: 'processing' }],
    ['state', { state: 'processing' }],
    ['task_status', { task_status: 'processing' }],
  ])('reads the status word from %s', (_field, body) => {
    expect(parseTaskStatus({ data: body })).toEqual({ phase: 'running', rawStatus: 'processing' });
  });
});

describe('parseTaskStatus — status words', () => {
  it.each(['success', 'succeeded', 'completed', 'finished', 'done', 'SUCCESS', 'Completed', ' Done '])('%s → succeeded', (word) =>
    expect(parseTaskStatus({ status: word })?.phase).toBe('succeeded'),
  );
  it.each(['fail', 'failed', 'failure', 'error', 'cancelled', 'canceled', 'expired', 'Fail', 'FAILED'])('%s → failed', (word) =>
    expect(parseTaskStatus({ status: word })?.phase).toBe('failed'),
  );
  it.each(['pending', 'queued', 'submitted', 'not_start', 'preparing', 'queueing', 'waiting', 'Preparing', 'Queueing'])(
    '%s → queued',
    (word) => expect(parseTaskStatus({ status: word })?.phase).toBe('queued'),
  );
  it.each(['processing', 'in_progress', 'in-progress', 'running', 'generating', 'Processing', 'something_new'])(
    '%s → running (unknown words mean still running)',
    (word) => expect(parseTaskStatus({ status: word })?.phase).toBe('running'),
  );
  it('keeps the raw word as sent', () => {
    expect(parseTaskStatus({ status: 'Processing' })?.rawStatus).toBe('Processing');
  });
});

describe('parseTaskStatus — progress', () => {
  it.each([
    [45, 45],
    ['45%', 45],
    ['45', 45],
    [' 12.5 % ', 12.5],
    [150, 100],
    [-3, 0],
  ])('%j → %d', (progress, expected) => {
    expect(parseTaskStatus({ status: 'processing', progress })?.progress).toBe(expected);
  });
  it.each([['abc'], [null], [{}], [Number.NaN]])('ignores %j', (progress) => {
    expect(parseTaskStatus({ status: 'processing', progress })).not.toHaveProperty('progress');
  });
});

describe('parseTaskStatus — video URL', () => {
  it.each([
    ['result.videos[0].url string', { result: { videos: [{ url: URL_A }] } }],
    ['result.videos[0].url array', { result: { videos: [{ url: [URL_A, URL_B] }] } }],
    ['video_url', { video_url: URL_A }],
    ['video_url array', { video_url: [URL_A] }],
    ['url', { url: URL_A }],
    ['video.url', { video: { url: URL_A } }],
    ['metadata.url', { metadata: { url: URL_A } }],
    ['output string', { output: URL_A }],
    ['output array', { output: [URL_A, URL_B] }],
    ['files[0].file_url', { files: [{ file_url: URL_A }] }],
    ['file.download_url', { file: { download_url: URL_A } }],
  ])('reads %s', (_name, fields) => {
    expect(parseTaskStatus({ data: { status: 'completed', ...fields } })?.videoUrl).toBe(URL_A);
  });

  it('takes the first field in the documented order', () => {
    const task = { status: 'completed', output: URL_B, result: { videos: [{ url: URL_A }] } };
    expect(parseTaskStatus(task)?.videoUrl).toBe(URL_A);
  });

  it('skips fields that are not http(s) URLs and falls through to the next', () => {
    const task = { status: 'completed', video_url: '', url: 'not a url', output: ['file:///etc/passwd', URL_B] };
    expect(parseTaskStatus(task)?.videoUrl).toBe(URL_B);
  });

  it('GIVEN success without any URL THEN phase is succeeded and videoUrl is absent', () => {
    const status = parseTaskStatus({ status: 'Success', file_id: '12345' });
    expect(status).toEqual({ phase: 'succeeded', rawStatus: 'Success' });
  });
});

describe('parseTaskStatus — error text and times', () => {
  it.each([
    ['error.message', { error: { code: 1026, message: 'sensitive input' } }],
    ['error string', { error: 'sensitive input' }],
    ['fail_reason', { fail_reason: 'sensitive input' }],
    ['error_message', { error_message: 'sensitive input' }],
    ['failMsg', { failMsg: 'sensitive input' }],
  ])('reads %s', (_name, fields) => {
    expect(parseTaskStatus({ data: { status: 'failed', ...fields } })?.errorMessage).toBe('sensitive input');
  });

  it('reads estimated/actual time given as numeric strings', () => {
    expect(parseTaskStatus({ status: 'processing', estimated_time: '60', actual_time: 19 })).toMatchObject({
      estimatedTimeS: 60,
      actualTimeS: 19,
    });
  });

  it('treats an expires_at already in milliseconds as milliseconds', () => {
    const body = { status: 'completed', result: { videos: [{ url: URL_A, expires_at: 1757242893000 }] } };
    expect(parseTaskStatus(body)?.videoExpiresAt).toBe(1757242893000);
  });
});

describe('parseTaskStatus — junk', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', '<html>oops</html>'],
    ['a number', 42],
    ['an empty object', {}],
    ['an empty array', []],
    ['an error envelope', { error: { code: 500, message: 'boom', type: 'server_error' } }],
    ['a non-string status', { status: 200, data: { progress: 5 } }],
    ['an empty status', { data: { status: '' } }],
    ['data without status', { code: 200, data: { id: 'task_1', progress: 5 } }],
  ])('%s → undefined', (_name, body) => {
    expect(parseTaskStatus(body)).toBeUndefined();
  });
});
