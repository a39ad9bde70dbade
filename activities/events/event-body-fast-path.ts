import type { EventBody, EventStatus } from './event-body';
import { EVENT_STATUSES } from './event-status';
import { parseEventTimestamp, type TimeBounds } from './event-timestamp';
import { unstorableValue } from './json-limits';

/**
 * The common case of checkEventBody, a few times faster: a body that is entirely valid, checked
 * by hand against the same rules as the schema in event-body.ts, and returned as the schema would
 * return it. It only ever accepts. Anything it does not accept (a problem, or a shape it is unsure
 * of) goes to the schema, which finds and words every problem. A unit test holds the two equal.
 *
 * Why: the schema library spent 7 ms on a batch of 1,000 valid events, a quarter of the API's CPU.
 */
export function acceptValidEventBody(input: unknown, bounds: TimeBounds): EventBody | undefined {
  if (!isPlainObject(input) || !hasOnly(input, TOP, 5)) return undefined;
  const { idempotency_key, site_id, app, entity, event } = input;
  if (!isId(idempotency_key) || !isId(site_id)) return undefined;

  if (!isPlainObject(app) || !hasOnly(app, APP) || !isId(app.app_id)) return undefined;
  // Defaults for members left out (not for null, which the schema refuses).
  const name = app.name === undefined ? '' : app.name;
  const version = app.version === undefined ? '' : app.version;
  if (!isText(name, 200) || !isText(version, 100)) return undefined;

  if (!isPlainObject(entity) || !hasOnly(entity, ENTITY)) return undefined;
  const { type, id, parent_id, business_key, sub_key } = entity;
  if ((type !== 'job' && type !== 'subjob') || !isId(id)) return undefined;
  if (type === 'subjob' ? !isId(parent_id) : parent_id !== undefined && !isId(parent_id)) return undefined;
  if ((business_key !== undefined && !isText(business_key, 200)) || (sub_key !== undefined && !isText(sub_key, 200))) return undefined;

  if (!isPlainObject(event) || !hasOnly(event, EVENT)) return undefined;
  const { kind, status } = event;
  const metrics = event.metrics === undefined ? {} : event.metrics;
  const metadata = event.metadata === undefined ? {} : event.metadata;
  if (typeof kind !== 'string' || !KIND.test(kind) || !STATUSES.has(status as string)) return undefined;
  if (!isPlainObject(metrics) || !validMetrics(metrics) || !isPlainObject(metadata)) return undefined;
  const at = parseEventTimestamp(event.at, bounds);
  if (!at.ok || unstorableValue(input) !== undefined) return undefined;

  return {
    idempotency_key,
    site_id,
    app: { app_id: app.app_id, name, version },
    entity: { type, id, ...(parent_id === undefined ? {} : { parent_id: parent_id as string }), ...(business_key === undefined ? {} : { business_key }), ...(sub_key === undefined ? {} : { sub_key }) },
    event: { kind, at: at.value, status: status as EventStatus, metrics: metrics as Record<string, number>, metadata },
  };
}

const TOP = new Set(['idempotency_key', 'site_id', 'app', 'entity', 'event']);
const APP = new Set(['app_id', 'name', 'version']);
const ENTITY = new Set(['type', 'id', 'parent_id', 'business_key', 'sub_key']);
const EVENT = new Set(['kind', 'at', 'status', 'metrics', 'metadata']);
const STATUSES = new Set<string>(EVENT_STATUSES);
const ID = /^[\x21-\x7e]{1,200}$/;
const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Only keys of `allowed`, and (if given) exactly `count` of them. */
function hasOnly(value: Plain, allowed: ReadonlySet<string>, count?: number): boolean {
  let seen = 0;
  for (const key in value) {
    if (!allowed.has(key) || value[key] === undefined) return false;
    seen += 1;
  }
  return count === undefined || seen === count;
}

const isId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;

function validMetrics(metrics: Plain): boolean {
  let count = 0;
  for (const name in metrics) {
    const value = metrics[name];
    if (!METRIC_NAME.test(name) || typeof value !== 'number' || !Number.isFinite(value) || ++count > 100) return false;
  }
  return true;
}
