import fs from 'node:fs/promises';
import path from 'node:path';
import type { NodeSetup } from '../../infra/config/node-setup';
import { UserError } from '../../infra/errors/user-error';
import { MAX_TEMPLATE_BYTES, renderTemplate, type TemplateValue } from '../fleet/task-template';
import { unifiedDiff } from '../fleet/text-diff';
import { sha256Of } from '../storage/stream-helpers';
import { modelsDir } from './model-inventory';

/** Who a node is, from its worker's command line and its fleet entry. */
export interface NodeIdentity {
  readonly host: string;
  readonly root: string;
  readonly role?: string;
  readonly accelerator?: string;
}

/** A model version the node holds once the deployment is done. */
export interface DeployedModel {
  readonly model: string;
  readonly version: string;
}

export interface RenderedConfig {
  /** As written in config. */
  readonly dest: string;
  /** Absolute path on the node. */
  readonly path: string;
  readonly content: string;
  readonly sha256: string;
  readonly services: readonly string[];
}

export interface ConfigChange {
  readonly dest: string;
  readonly path: string;
  readonly status: 'create' | 'change' | 'unchanged';
  readonly sha256: string;
  /** Unified diff from the file on the node to the rendered one; empty when unchanged. */
  readonly diff: string;
  readonly services: readonly string[];
}

/**
 * What templates can use: {{ host }}, {{ role }}, {{ accelerator }}, {{ root }}, {{ models_dir }},
 * {{ models.<name>.path }} and {{ models.<name>.version }} for every model the node will hold,
 * and {{ vars.<name> }} from config. The path is the seed's
 * {{ sentinelcam_model_registry }}/{{ model_name }}/{{ current_version }}, on the node.
 */
export function templateVariables(node: NodeIdentity, setup: NodeSetup, models: readonly DeployedModel[]): Record<string, TemplateValue> {
  const byName: Record<string, TemplateValue> = {};
  for (const { model, version } of models) byName[model] = { version, path: path.join(modelsDir(node.root), model, version) };
  return {
    host: node.host,
    role: node.role ?? '',
    accelerator: node.accelerator ?? 'none',
    root: node.root,
    models_dir: modelsDir(node.root),
    models: byName,
    vars: { ...setup.vars },
  };
}

/** Every task config of the node rendered for the given model versions; nothing is written. */
export async function renderConfigs(node: NodeIdentity, setup: NodeSetup, models: readonly DeployedModel[]): Promise<RenderedConfig[]> {
  const variables = templateVariables(node, setup, models);
  const rendered: RenderedConfig[] = [];
  for (const template of setup.templates) {
    const content = renderTemplate(await readTemplate(node.host, template.source, template.dest), variables, path.basename(template.source));
    rendered.push({ dest: template.dest, path: configPath(node.root, template.dest), content, sha256: sha256Of(Buffer.from(content)), services: template.services });
  }
  return rendered;
}

/** The rendered configs against what the node holds now, like `ansible --check --diff`. */
export async function configChanges(rendered: readonly RenderedConfig[]): Promise<ConfigChange[]> {
  return Promise.all(
    rendered.map(async (config): Promise<ConfigChange> => {
      const current = await fs.readFile(config.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      const status = current === undefined ? 'create' : current === config.content ? 'unchanged' : 'change';
      const diff = status === 'unchanged' ? '' : unifiedDiff(current ?? '', config.content, { fromLabel: current === undefined ? '/dev/null' : config.path, toLabel: config.path });
      return { dest: config.dest, path: config.path, status, sha256: config.sha256, diff, services: config.services };
    }),
  );
}

/** A destination relative to the node's root, or absolute. */
export function configPath(root: string, dest: string): string {
  return path.resolve(root, dest);
}

async function readTemplate(host: string, source: string, dest: string): Promise<string> {
  let size: number;
  try {
    size = (await fs.stat(source)).size;
  } catch (err) {
    throw new UserError(
      `The template for ${dest} cannot be read on ${host}: ${(err as Error).message}.`,
      'Templates are read by the node worker from its own disk, relative to its sluice.yaml: copy the file there, or fix fleet templates[].source.',
      { cause: err },
    );
  }
  if (size > MAX_TEMPLATE_BYTES) throw new UserError(`The template ${source} is ${size} bytes; a task-config template is at most ${MAX_TEMPLATE_BYTES}.`, 'Check templates[].source points at the template, not at a model or a log.');
  return fs.readFile(source, 'utf8');
}
