/** The `<Stream url>` and its `<Parameter>`s from a `<Connect><Stream>` TwiML answer (what Twilio reads). */
export interface StreamTwiml {
  readonly url: string;
  readonly parameters: Record<string, string>;
}

const unescapeXml = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function parseStreamTwiml(xml: string): StreamTwiml {
  const stream = /<Stream\b[^>]*\burl="([^"]*)"/.exec(xml);
  if (!stream?.[1]) throw new Error(`the webhook answer has no <Connect><Stream url>: ${xml.slice(0, 200)}`);
  const parameters: Record<string, string> = {};
  for (const m of xml.matchAll(/<Parameter\b[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"/g)) parameters[unescapeXml(m[1] ?? '')] = unescapeXml(m[2] ?? '');
  return { url: unescapeXml(stream[1]), parameters };
}
