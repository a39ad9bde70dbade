import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The directory holding sluice's package.json, found by walking up from this file, so that data
 * files (migrations, examples) are found the same way from the TypeScript sources under jest and
 * from the compiled files under dist/.
 */
export function projectRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'sluice') {
      cached = dir;
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`sluice's package.json not found above ${__dirname}`);
  }
}
