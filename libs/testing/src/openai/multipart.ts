import type { MultipartForm, UploadedFile } from './types';

/** Error thrown for a body that is not valid multipart/form-data; the fake answers it with 400. */
export class MultipartError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary parameter of a `multipart/form-data; boundary=...` content type (RFC 7578 §4.1, RFC 2046 §5.1.1). */
export function multipartBoundary(contentType: string | undefined): string {
  const m = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new MultipartError('Content-Type must be multipart/form-data with a boundary');
  return boundary;
}

function parsePartHeaders(text: string): { name: string; filename?: string; contentType: string } {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType = 'text/plain';
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') contentType = value;
    if (key === 'content-disposition') {
      name = /;\s*name="([^"]*)"/i.exec(value)?.[1];
      filename = /;\s*filename="([^"]*)"/i.exec(value)?.[1];
    }
  }
  if (name === undefined) throw new MultipartError('part without a Content-Disposition name');
  return { name, filename, contentType };
}

/**
 * Parses a complete multipart/form-data body. Parts are delimited by `--boundary` at the start of a line; the part
 * body is everything up to the CRLF that precedes the next delimiter, so binary files may contain any bytes.
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartForm {
  const delimiter = Buffer.from(`--${multipartBoundary(contentType)}`);
  const form: MultipartForm = { fields: {}, files: {}, entries: [] };
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('no boundary delimiter in body');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return form; // close delimiter
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw new MultipartError('malformed delimiter line');
    const headerEnd = body.indexOf(HEADER_END, pos + 2);
    if (headerEnd < 0) throw new MultipartError('part headers never end');
    const headers = parsePartHeaders(body.subarray(pos + 2, headerEnd).toString('utf8'));
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('missing closing boundary');
    const data = body.subarray(headerEnd + 4, next);
    if (headers.filename !== undefined) {
      const file: UploadedFile = { filename: headers.filename, contentType: headers.contentType, data: Buffer.from(data) };
      form.files[headers.name] = file;
      form.entries.push({ name: headers.name, value: file });
    } else {
      const value = data.toString('utf8');
      form.fields[headers.name] = value;
      form.entries.push({ name: headers.name, value });
    }
    pos = next + CRLF.length;
  }
}
