import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH, tooDeep } from '../../activities/events/json-limits';
import { ApiError } from './api-error';

/**
 * The APIs' JSON body parser. Fastify's would parse a 10,000-deep array and leave the stack
 * overflow to whatever walks it; this one measures the depth on the raw text first (one linear
 * pass), then parses, and says where the JSON is broken.
 */
export function useJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, parseJsonBody(String(text)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new ApiError(400, 'empty_body', 'The request body is empty; send a JSON object.');
  const deep = tooDeep(text);
  if (deep) throw new ApiError(400, 'too_deep', `The JSON nests deeper than ${MAX_JSON_DEPTH} levels (at character ${deep.at}); an event body needs far fewer.`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'malformed_json', `The body is not valid JSON: ${(err as Error).message}`);
  }
}
