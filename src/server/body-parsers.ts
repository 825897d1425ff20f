/**
 * Body parsing at the edge: FHIR JSON with prototype-poisoning protection and a nesting limit (checked
 * on the raw text before parsing, so a hostile body never reaches a recursive walker), and forms for
 * POST _search. Anything else is left to Fastify's 415.
 */
import type { FastifyInstance } from 'fastify';
import { MalformedJson } from '../fhir/errors.ts';

export const MAX_JSON_DEPTH = 64;

export function registerBodyParsers(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  // strict content types: only what FHIR and our forms use; Fastify's text/plain default would accept anything
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/fhir+json', 'application/json', 'application/json+fhir'], { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (!text.trim()) return done(MalformedJson({ params: ['the body is empty'] }), undefined);
    const depth = jsonDepth(text);
    if (depth > MAX_JSON_DEPTH) return done(MalformedJson({ params: [`nesting deeper than ${MAX_JSON_DEPTH} levels`] }), undefined);
    secureParse(req, text, (err, value) => {
      if (err) return done(MalformedJson({ params: describeJsonError(err) }), undefined);
      done(null, value);
    });
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    done(null, out);
  });
}

/** Maximum nesting of objects/arrays, ignoring brackets inside strings. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Say where the JSON broke, never what it contained. */
function describeJsonError(err: Error): [string] {
  if (/prototype|__proto__|constructor/i.test(err.message)) return ['it contains a forbidden __proto__ or constructor.prototype key'];
  const pos = /position (\d+)/.exec(err.message)?.[1];
  const line = /line (\d+) column (\d+)/.exec(err.message);
  if (line) return [`syntax error at line ${line[1]} column ${line[2]}`];
  return [pos ? `syntax error at character ${pos}` : 'syntax error'];
}
