import type { FastifyReply } from 'fastify';

/**
 * Every error the APIs answer with has one shape: a machine-readable `error` code, a `message` a
 * person can act on, and, for a body with problems, each problem with its JSON path.
 */
export interface ApiProblem {
  readonly path: string;
  readonly problem: string;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** For the server's log (5xx); never sent to the client. */
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.statusCode).send({ error: error.code, message: error.message, ...error.details });
}

/** 422 for a body that parsed but does not say what the API needs. */
export function invalidBody(message: string, problems: readonly ApiProblem[]): ApiError {
  return new ApiError(422, 'invalid_body', message, { problems });
}

/** Joins the first problems into one line for `message`; all of them stay in `problems`. */
export function summarise(problems: readonly ApiProblem[], shown = 5): string {
  const head = problems.slice(0, shown).map(({ path, problem }) => `${path}: ${problem}`);
  const more = problems.length > shown ? ` (and ${problems.length - shown} more, see "problems")` : '';
  return `${head.join('; ')}${more}`;
}
