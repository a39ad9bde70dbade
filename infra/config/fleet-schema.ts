import { z } from 'zod';
import { durationSchema as duration } from './duration';
import { hostName } from './host-name';

/**
 * The fleet inventory: every host, its role and accelerator, and, on edge nodes, the services
 * sluice restarts and the task configs it renders when a deployment changes their models. Role
 * defaults (`fleetRoles:`) hold what every host of a role shares, like Ansible's group_vars; a
 * host's own entries are laid over them by name.
 *
 * Services and templates are read by the node's own worker from its own copy of this file: a
 * node only ever runs commands its local config names, never ones sent over Temporal.
 */

const serviceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/, 'expected a service name of letters, digits and _.@-');
const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'expected a variable name of letters, digits, _ and -');

const serviceSchema = z.strictObject({
  /** Run with /bin/sh -c in the node's root after its models or configs changed, e.g. "sudo systemctl restart sentinel". */
  restart: z.string().min(1),
  restartTimeout: duration.default('2m'),
  /** Exits 0 when the service works; retried every healthInterval until healthTimeout. Without one, a restart that succeeds is enough. */
  healthCheck: z.string().min(1).optional(),
  healthTimeout: duration.default('1m'),
  healthInterval: duration.default('2s'),
  /** The models whose change restarts this service; without the list, any model deployed to the node. */
  models: z.array(z.string().regex(/^[a-z0-9][a-z0-9_]{0,63}$/, 'expected a model name')).optional(),
});

const templateSchema = z.strictObject({
  /** The template file, relative to this config file; {{ models.<name>.path }} and the like are filled in. */
  source: z.string().min(1),
  /** Where the rendered file goes: relative to the node's root, or absolute. */
  dest: z.string().min(1),
  /** Services restarted when the rendered file changes. */
  services: z.array(serviceName).default([]),
});

const nodeSetupFields = {
  services: z.record(serviceName, serviceSchema).optional(),
  templates: z.array(templateSchema).optional(),
  /** Extra template variables, as {{ vars.<name> }}. */
  vars: z.record(varName, z.union([z.string(), z.number(), z.boolean()])).optional(),
};

export const fleetRoleSchema = z.strictObject(nodeSetupFields);

export const fleetRolesSchema = z
  .strictObject({ outpost: fleetRoleSchema.optional(), sentinel: fleetRoleSchema.optional() })
  .default({});

const fleetHostSchema = z.strictObject({
  host: hostName,
  role: z.enum(['datasink', 'outpost', 'sentinel']),
  /** Where that host's worker keeps its files; defaults to <stateDir>/hosts/<host>. */
  root: z.string().min(1).optional(),
  /** Nodes with a Coral EdgeTPU also receive the coral_packages model. */
  accelerator: z.enum(['none', 'coral']).default('none'),
  ...nodeSetupFields,
});

export const fleetSchema = z
  .array(fleetHostSchema)
  .default([])
  .superRefine((fleet, ctx) => {
    const seen = new Set<string>();
    fleet.forEach((entry, index) => {
      if (seen.has(entry.host)) {
        ctx.addIssue({ code: 'custom', path: [index, 'host'], message: `host "${entry.host}" is listed twice; each host appears once` });
      }
      seen.add(entry.host);
      if (entry.role === 'datasink') {
        for (const field of ['services', 'templates', 'vars'] as const) {
          if (entry[field] !== undefined) ctx.addIssue({ code: 'custom', path: [index, field], message: `${field} apply to outposts and sentinels; datasinks take facelists (sluice model deploy-facelist)` });
        }
      }
    });
  });

export type FleetRoles = z.infer<typeof fleetRolesSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type TemplateConfig = z.infer<typeof templateSchema>;
