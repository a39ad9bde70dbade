import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import type { Pool } from 'pg';
import { checkModelName, checkVersion, todayVersion } from '../../../activities/registry/names';
import { listModels, listVersions, modelState, promotionHistory, type PromotionRecord } from '../../../activities/registry/registry-db';
import { exportRegistry, importRegistry } from '../../../activities/registry/registry-import';
import { listOverrides, pinVersion, unpinVersion } from '../../../activities/registry/registry-overrides';
import { listRoleModels, setRoleModels } from '../../../activities/registry/role-models';
import { formatRegistryYaml, parseRegistryYaml } from '../../../activities/registry/registry-yaml';
import { createPool } from '../../../infra/db/pool';
import { UserError } from '../../../infra/errors/user-error';
import { objectStoreFor } from '../../../workers/services';
import { deployFacelist } from '../../../workflows/deploy-facelist';
import { promoteModel, rollbackModel } from '../../../workflows/promote-model';
import { publishModel } from '../../../workflows/publish-model';
import { registryCleanup } from '../../../workflows/registry-cleanup';
import { CONTROL_QUEUE } from '../../../workflows/task-queues';
import { formatBytes } from '../../ingest/ingest-status';
import { uploadDirectory } from '../../registry/upload-directory';
import { databaseUrlOf } from '../../service-addresses';
import { clientFor, commandContext, type CommandContext } from '../context';
import { showProgress } from '../progress-line';

/** `sluice model …`: the model registry. Changes of state go through workflows; reads query Postgres. */
export function registerModel(program: Command): void {
  const model = program.command('model').description('the model registry: versions, promotion, rollback, pins, model_registry.yaml');

  model
    .command('list')
    .description('every model: current and previous version, number of versions, pinned hosts')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withPool(command, async (pool) => {
        const models = await listModels(pool);
        const overrides = await listOverrides(pool);
        const rows = await Promise.all(models.map(async (state) => ({ ...state, versions: (await listVersions(pool, state.model)).length, pins: overrides.filter((o) => o.model === state.model) })));
        if (options.json) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return print('No models yet: sluice model publish <model> <dir> --create, or sluice model import model_registry.yaml.');
        print(rows.map((r) => `${r.model}  current ${r.current ?? '-'}  previous ${r.previous ?? '-'}  ${r.versions} versions${r.pins.length ? `  pinned: ${r.pins.map((p) => `${p.host}=${p.version}`).join(', ')}` : ''}`).join('\n'));
      });
    });

  model
    .command('versions <model>')
    .description('the published versions of a model, newest first')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withPool(command, async (pool) => {
        const state = await modelState(pool, name);
        const versions = await listVersions(pool, name);
        if (options.json) return print(JSON.stringify({ ...state, versions }, null, 2));
        print(versions.map((v) => `${v.version}${v.state === 'deleting' ? ' (being deleted)' : ''}  ${v.files} files  ${formatBytes(v.bytes)}  published ${v.publishedAt} by ${v.publishedBy}${v.version === state.current ? '  [CURRENT]' : ''}${v.version === state.previous ? '  [PREVIOUS]' : ''}`).join('\n') || `${name} has no versions.`);
      });
    });

  model
    .command('publish <model> <dir>')
    .description('upload a directory as a new version (its files, a manifest of sizes and sha256, verified after upload)')
    .option('--version <date>', 'the version, YYYY-MM-DD (default: today, UTC)')
    .option('--create', 'add the model if the registry does not know it yet')
    .action(async (name: string, dir: string, options: { version?: string; create?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const version = checkVersion(options.version ?? todayVersion());
      checkModelName(name);
      const store = objectStoreFor(context.settings, context.log);
      const client = await clientFor(context);
      try {
        const upload = await uploadDirectory(store, context.settings.registry.prefix, dir, (p) =>
          showProgress(`uploading ${name} ${version}: ${p.files}/${p.totalFiles} files, ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}`),
        );
        showProgress(`verifying ${name} ${version} …`);
        const result = await client.workflow.execute(publishModel, {
          taskQueue: CONTROL_QUEUE,
          workflowId: `model-publish-${name}-${version}-${upload.uploadId}`,
          args: [{ model: name, version, uploadId: upload.uploadId, files: upload.files, createModel: options.create, actor: actorOf() }],
        });
        showProgress('');
        print(`published ${result.model} ${result.version}: ${result.files} files, ${formatBytes(result.bytes)}, verified against its manifest`);
      } finally {
        store.close();
        await client.connection.close();
      }
    });

  model
    .command('promote <model> <version>')
    .description('make a version current (verified first; logged; a deployment becomes due)')
    .requiredOption('--reason <text>', 'why, kept in the promotion log')
    .action(async (name: string, version: string, options: { reason: string }, command: Command) => {
      const record = await runWorkflow(command, promoteModel, `model-promote-${name}`, { model: name, version, reason: options.reason, actor: actorOf() });
      print(formatPromotion(record));
    });

  model
    .command('rollback <model>')
    .description('put a model back on its previous version, or on --to VERSION')
    .option('--to <version>', '"previous" or a version', 'previous')
    .option('--reason <text>', 'why, kept in the promotion log')
    .action(async (name: string, options: { to: string; reason?: string }, command: Command) => {
      const record = await runWorkflow(command, rollbackModel, `model-rollback-${name}`, { model: name, to: options.to, reason: options.reason, actor: actorOf() });
      print(formatPromotion(record));
    });

  model
    .command('history [model]')
    .description('the promotion log, newest first')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'entries', '50')
    .action(async (name: string | undefined, options: { json?: boolean; limit: string }, command: Command) => {
      await withPool(command, async (pool) => {
        if (name) await modelState(pool, name);
        const records = await promotionHistory(pool, name, Math.max(1, Math.min(10_000, Number(options.limit) || 50)));
        print(options.json ? JSON.stringify(records, null, 2) : records.map(formatPromotion).join('\n') || 'No promotions yet.');
      });
    });

  model
    .command('pin <host> <model> <version>')
    .description('keep a host on a version other than current')
    .action(async (host: string, name: string, version: string, _options, command: Command) => {
      await withPool(command, async (pool, context) => {
        await pinVersion(pool, { host, model: name, version, actor: actorOf(), fleetHosts: context.settings.fleet.map((entry) => entry.host) });
        print(`${host} pinned to ${name} ${version}`);
      });
    });

  model
    .command('unpin <host> <model>')
    .description('let a host follow the current version again')
    .action(async (host: string, name: string, _options, command: Command) => {
      await withPool(command, async (pool) => {
        print((await unpinVersion(pool, host, name)) ? `${host} follows ${name}'s current version again` : `${host} had no pin for ${name}`);
      });
    });

  model
    .command('deploy-facelist')
    .description('put a facelist version (default: current) on every datasink, with facelist_current.csv pointing at it')
    .option('--version <date>', 'the facelist version')
    .option('--json', 'print JSON')
    .action(async (options: { version?: string; json?: boolean }, command: Command) => {
      const result = await runWorkflow(command, deployFacelist, 'facelist-deploy', { version: options.version });
      if (options.json) return print(JSON.stringify(result, null, 2));
      print([`facelist ${result.version}:`, ...result.hosts.map((h) => `  ${h.host}  ${h.status}  ${h.detail}`)].join('\n'));
      if (result.hosts.some((h) => h.status !== 'installed')) process.exitCode = 1;
    });

  model
    .command('cleanup')
    .description('remove versions that are not current, previous, pinned or among the newest (registry.keepRecent)')
    .option('--plan', 'only show what would be removed')
    .option('--json', 'print JSON')
    .action(async (options: { plan?: boolean; json?: boolean }, command: Command) => {
      const result = await runWorkflow(command, registryCleanup, 'registry-cleanup', { dryRun: options.plan });
      if (options.json) return print(JSON.stringify(result, null, 2));
      const lines = [`${options.plan ? 'Would remove' : 'Planned'} ${result.plan.totals.versions} versions, ${formatBytes(result.plan.totals.bytes)} (keeping current, previous, pinned and the ${result.plan.keepRecent} newest of each model)`];
      for (const entry of result.plan.models) {
        for (const kept of entry.keep) lines.push(`  keep    ${entry.model} ${kept.version}  (${kept.reasons.join(', ')})`);
        for (const gone of entry.remove) lines.push(`  remove  ${entry.model} ${gone.version}  ${formatBytes(gone.bytes)}`);
      }
      if (!options.plan) {
        lines.push(`Removed ${result.removed.length} versions, freed ${formatBytes(result.bytesFreed)}; ${result.failed.length} files failed.`);
        for (const f of result.failed) lines.push(`  FAILED ${f.model} ${f.version} ${f.key}: ${f.error} (the version stays listed; the next cleanup retries)`);
        for (const k of result.keptSincePlan) lines.push(`  kept ${k.model} ${k.version}: promoted or pinned while the cleanup ran`);
      }
      print(lines.join('\n'));
      if (result.failed.length > 0) process.exitCode = 1;
    });

  model
    .command('roles')
    .description('which models each role\'s nodes receive (outposts: mobilenet_ssd unless set)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withPool(command, async (pool) => {
        const roles = await listRoleModels(pool);
        print(options.json ? JSON.stringify(roles, null, 2) : roles.map((r) => `${r.role}: ${r.models.join(', ') || '(none)'}`).join('\n') || 'No role lists: every role receives every model.');
      });
    });

  model
    .command('role <role> <models>')
    .description('set the comma-separated models a role\'s nodes receive, e.g. outpost mobilenet_ssd,mobilenet_ssd_edgetpu')
    .action(async (role: string, models: string, _options, command: Command) => {
      await withPool(command, async (pool) => {
        const list = models.split(',').map((m) => m.trim()).filter(Boolean);
        await setRoleModels(pool, role, list);
        print(`${role}: ${list.join(', ') || '(none)'}`);
      });
    });

  model
    .command('import <file>')
    .description('set the registry from a SentinelCam model_registry.yaml (every version it names must be published)')
    .action(async (file: string, _options, command: Command) => {
      const text = readSmallFile(file);
      const document = parseRegistryYaml(text, file);
      await withPool(command, async (pool) => {
        const result = await importRegistry(pool, document, actorOf(), `sluice model import ${file}`);
        print(`imported ${file}: created ${result.created.length}, changed ${result.changed.length}, unchanged ${result.unchanged.length}`);
      });
    });

  model
    .command('export [file]')
    .description('write the registry as a SentinelCam model_registry.yaml (to stdout without a file)')
    .action(async (file: string | undefined, _options, command: Command) => {
      await withPool(command, async (pool) => {
        const text = formatRegistryYaml(await exportRegistry(pool));
        if (file) fs.writeFileSync(file, text);
        else process.stdout.write(text);
      });
    });
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function actorOf(): string {
  return `${os.userInfo().username}@${os.hostname()}`;
}

function formatPromotion(r: PromotionRecord): string {
  return `${r.at}  ${r.model}  ${r.action} ${r.from ?? '-'} → ${r.to}  by ${r.actor}: ${r.reason}  (${r.workflowId})`;
}

function readSmallFile(file: string): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) throw new UserError(`${file} is not a file.`, 'Give the path of a model_registry.yaml.');
  return fs.readFileSync(file, 'utf8');
}

async function withPool(command: Command, work: (pool: Pool, context: CommandContext) => Promise<void>): Promise<void> {
  const context = commandContext(command.optsWithGlobals());
  const pool = createPool(databaseUrlOf(context.settings), 1, context.log);
  try {
    await work(pool, context);
  } finally {
    await pool.end();
  }
}

async function runWorkflow<A, R>(command: Command, workflow: (input: A) => Promise<R>, idStem: string, input: A): Promise<R> {
  const context = commandContext(command.optsWithGlobals());
  const client = await clientFor(context);
  try {
    return await client.workflow.execute(workflow, { taskQueue: CONTROL_QUEUE, workflowId: `${idStem}-${new Date().toISOString()}`, args: [input] });
  } finally {
    await client.connection.close();
  }
}
