import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { projectRoot } from '../../infra/project-root';
import { testStack } from '../harness/test-stack-info';

const HISTORIES = path.join(projectRoot(), 'test', 'histories');

/**
 * Every recorded history under test/histories must replay against today's workflow code. A
 * failure means a change would break runs in flight: guard it with patched() instead.
 * Record new ones with `npm run record-histories`.
 */
describe('replaying recorded workflow histories', () => {
  const files = fs.readdirSync(HISTORIES).filter((file) => file.endsWith('.json')).sort();

  it('has histories to replay', () => {
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^stack-check@/), expect.stringMatching(/^stack-check-failed@/)]));
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const { workflowId, history } = readHistory(path.join(HISTORIES, file));
    await Worker.runReplayHistory({ workflowBundle: { codePath: testStack().workflowBundlePath } }, history, workflowId);
  });
});

/**
 * Either `{ workflowId, history }` as `npm run record-histories` writes it, or a plain history
 * as `temporal workflow show --output json` prints it (then the file name stands for the id).
 */
function readHistory(file: string): { workflowId: string; history: unknown } {
  const content = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (content.history) return { workflowId: content.workflowId, history: content.history };
  return { workflowId: path.basename(file, '.json'), history: content };
}
