/**
 * The media type of a `Content-Type` value without its parameters, lower-cased
 * (`"Image/PNG; charset=x"` → `"image/png"`; RFC 9110 §8.3.1); `""` when there is none.
 */
export function mediaTypeOf(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
