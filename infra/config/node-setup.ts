import path from 'node:path';
import type { FleetRoles, ServiceConfig, TemplateConfig } from './fleet-schema';
import type { SluiceConfig } from './schema';

type FleetEntry = SluiceConfig['fleet'][number];

/** What an edge node restarts and renders, its role's defaults and its own entries merged. */
export interface NodeSetup {
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** `source` is absolute. */
  readonly templates: readonly TemplateConfig[];
  readonly vars: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A host's services, templates and vars over its role's: services and vars by name, templates by
 * destination, so a host can replace one of its role's task configs without repeating the rest.
 * Template sources are made absolute against the config file's directory.
 */
export function mergeNodeSetup(entry: FleetEntry, roles: FleetRoles, baseDir: string): NodeSetup {
  const role = entry.role === 'datasink' ? undefined : roles[entry.role];
  const templates = new Map<string, TemplateConfig>();
  for (const template of [...(role?.templates ?? []), ...(entry.templates ?? [])]) {
    templates.set(template.dest, { ...template, source: path.resolve(baseDir, template.source) });
  }
  return {
    services: { ...role?.services, ...entry.services },
    templates: [...templates.values()],
    vars: { ...role?.vars, ...entry.vars },
  };
}

/** Problems no single field shows: a template restarting a service the host does not have. */
export function nodeSetupProblems(fleet: readonly FleetEntry[], roles: FleetRoles): string[] {
  const problems: string[] = [];
  fleet.forEach((entry, index) => {
    const setup = mergeNodeSetup(entry, roles, '/');
    for (const template of setup.templates) {
      for (const service of template.services) {
        if (!Object.hasOwn(setup.services, service)) {
          const known = Object.keys(setup.services);
          problems.push(`fleet.${index} (${entry.host}): template ${template.dest} restarts service "${service}", which this host does not define; its services: ${known.join(', ') || 'none'}`);
        }
      }
    }
  });
  return problems;
}
