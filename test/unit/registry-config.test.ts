import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../infra/config/load-config';

function load(yaml: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-registry-config-'));
  fs.writeFileSync(path.join(dir, 'sluice.yaml'), yaml);
  return () => loadConfig({ file: path.join(dir, 'sluice.yaml'), env: {} });
}

describe('registry config', () => {
  it('keeps the registry in object storage by default, on a fleet datasink when asked', () => {
    expect(load('')().registry).toMatchObject({ store: 'object', prefix: 'model_registry/', keepRecent: 5 });
    expect(load('fleet: [{ host: data1, role: datasink }]\nregistry: { store: datasink, datasink: data1 }\n')().registry).toMatchObject({ store: 'datasink', datasink: 'data1' });
  });

  it.each([
    ['a datasink store without a host', 'registry: { store: datasink }\n', /registry\.datasink: registry\.store is "datasink"; name the fleet datasink/],
    ['a host not in the fleet', 'registry: { store: datasink, datasink: data9 }\n', /registry\.datasink: "data9" is not in fleet:/],
    ['a host that is not a datasink', 'fleet: [{ host: edge1, role: outpost }]\nregistry: { store: datasink, datasink: edge1 }\n', /"edge1" is a outpost, not a datasink/],
    ['a host with the object store', 'fleet: [{ host: data1, role: datasink }]\nregistry: { datasink: data1 }\n', /registry\.datasink: set, but registry\.store is not "datasink"/],
    ['a prefix that is not a path', 'registry: { prefix: "../x" }\n', /registry\.prefix/],
  ])('refuses %s', (_name, yaml, message) => {
    expect(load(yaml)).toThrow(message);
  });
});
