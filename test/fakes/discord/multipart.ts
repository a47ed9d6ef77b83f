/**
 * Request body parsing: JSON, or multipart/form-data with `payload_json` and `files[n]`
 * parts (as @discordjs/rest sends uploads), using the platform's FormData parser.
 */
import type { IncomingMessage } from 'node:http';
import type { Json, JsonObject } from './types.js';

/** One uploaded file part. */
export interface UploadedFile {
  /** Form field name, e.g. `files[0]`. */
  field: string;
  /** Index from `files[n]`, else the part's position among files. */
  index: number;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A parsed request body. */
export interface ParsedBody {
  /** JSON body or `payload_json` (plus other plain form fields). */
  json: Json | undefined;
  files: UploadedFile[];
}

/** Collects a request's body into a Buffer. */
export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Thrown for malformed bodies; the server answers 400 with Discord's code. */
export class BodyParseError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * Parses a raw body according to its content type.
 * @throws {BodyParseError} on invalid JSON or multipart data.
 */
export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { json: undefined, files: [] };
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return parseMultipart(raw, contentType ?? '');
  if (type.startsWith('application/json') || type === '') {
    try {
      return { json: JSON.parse(raw.toString('utf8')) as Json, files: [] };
    } catch {
      throw new BodyParseError('The request body contains invalid JSON.', 50109);
    }
  }
  return { json: undefined, files: [] };
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new BodyParseError('Invalid multipart body.', 50035);
  }
  const fields: JsonObject = {};
  let payload: Json | undefined;
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') {
        try {
          payload = JSON.parse(value) as Json;
        } catch {
          throw new BodyParseError('The request body contains invalid JSON.', 50109);
        }
      } else {
        fields[field] = value;
      }
      continue;
    }
    const blob = value as Blob & { name?: string };
    const match = /^files\[(\d+)\]$/.exec(field);
    files.push({
      field,
      index: match?.[1] !== undefined ? Number(match[1]) : files.length,
      filename: blob.name ?? field,
      contentType: blob.type || 'application/octet-stream',
      data: Buffer.from(await blob.arrayBuffer()),
    });
  }
  const json =
    payload !== undefined && payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? { ...fields, ...payload }
      : (payload ?? (Object.keys(fields).length > 0 ? fields : undefined));
  return { json, files };
}
