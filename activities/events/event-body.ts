import { z } from 'zod';
import { acceptValidEventBody } from './event-body-fast-path';
import { EVENT_STATUSES, type EventStatus } from './event-status';
import { parseEventTimestamp, type EventInstant, type TimeBounds } from './event-timestamp';
import { unstorableValue } from './json-limits';

/**
 * One event as a site's clients post it (the seed's body), checked completely before anything is
 * stored: unknown fields are errors (a typo must not be dropped silently), every problem is
 * reported with its JSON path, and what passes is exactly what will be stored.
 */

const id = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is missing` : `${what} must be a string`) })
    .min(1, `${what} is empty`)
    .max(200, `${what} is longer than 200 characters`)
    .regex(/^[\x21-\x7e]*$/, `${what} must be printable ASCII without spaces`);
const text = (what: string, max: number) => z.string({ error: `${what} must be a string` }).max(max, `${what} is longer than ${max} characters`);

export { EVENT_STATUSES, type EventStatus };

/** Metrics are numbers by name: durations, CPU seconds, memory. */
const metrics = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, 'a metric name is letters, digits, _ and . (at most 64)'), z.number({ error: 'a metric must be a number' }))
  .refine((value) => Object.keys(value).length <= 100, 'at most 100 metrics per event');

const bodySchema = z.strictObject({
  idempotency_key: id('idempotency_key'),
  site_id: id('site_id'),
  app: z.strictObject({ app_id: id('app.app_id'), name: text('app.name', 200).default(''), version: text('app.version', 100).default('') }, { error: 'app must be an object with app_id, name, version' }),
  entity: z.strictObject(
    {
      type: z.enum(['job', 'subjob'], { error: 'entity.type must be "job" or "subjob"' }),
      id: id('entity.id'),
      parent_id: id('entity.parent_id').optional(),
      business_key: text('entity.business_key', 200).optional(),
      sub_key: text('entity.sub_key', 200).optional(),
    },
    { error: 'entity must be an object with type and id' },
  ),
  event: z.strictObject(
    {
      kind: z.string({ error: 'event.kind must be a string' }).regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'event.kind is a lower-case word such as "started", "progress" or "finished"'),
      at: z.unknown(),
      status: z.enum(EVENT_STATUSES, { error: `event.status must be one of ${EVENT_STATUSES.join(', ')}` }),
      metrics: metrics.default({}),
      metadata: z.record(z.string(), z.unknown()).default({}),
    },
    { error: 'event must be an object with kind, at and status' },
  ),
});

export type EventBody = Omit<z.infer<typeof bodySchema>, 'event'> & { event: Omit<z.infer<typeof bodySchema>['event'], 'at'> & { at: EventInstant } };

export interface BodyProblem {
  /** Where, as a JSON path: $.event.at */
  readonly path: string;
  readonly problem: string;
}

/** The event, or every problem found in it. A subjob must name its job (entity.parent_id). */
export function checkEventBody(input: unknown, bounds: TimeBounds): EventCheck {
  const valid = acceptValidEventBody(input, bounds);
  return valid ? { ok: true, event: valid } : checkEventBodyWithSchema(input, bounds);
}

export type EventCheck = { ok: true; event: EventBody } | { ok: false; problems: BodyProblem[] };

/** checkEventBody without its fast path: slower, and the one that words the problems. */
export function checkEventBodyWithSchema(input: unknown, bounds: TimeBounds): EventCheck {
  const problems: BodyProblem[] = [];
  const unstorable = unstorableValue(input);
  if (unstorable) problems.push(unstorable);
  const parsed = bodySchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ path: jsonPath(issue.path), problem: describe(issue) });
  }
  const at = parseEventTimestamp((input as { event?: { at?: unknown } } | null)?.event?.at, bounds);
  if (!at.ok && (input as { event?: unknown } | null)?.event !== undefined) problems.push({ path: '$.event.at', problem: at.problem });
  if (parsed.success && parsed.data.entity.type === 'subjob' && !parsed.data.entity.parent_id) problems.push({ path: '$.entity.parent_id', problem: 'a subjob must name its job in entity.parent_id' });
  if (problems.length > 0 || !parsed.success || !at.ok) return { ok: false, problems };
  return { ok: true, event: { ...parsed.data, event: { ...parsed.data.event, at: at.value } } };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => inner.message).join('; ');
  return issue.message;
}

function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`;
}
