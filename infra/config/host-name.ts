import { z } from 'zod';

/** Host names become parts of task-queue names, so they keep to a safe alphabet. */
export const hostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a host name of lower-case letters, digits and dashes');
