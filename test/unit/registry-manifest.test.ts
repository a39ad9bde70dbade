import { RegistryError } from '../../activities/registry/errors';
import { checkManifestFiles, checkManifestPath } from '../../activities/registry/manifest';
import { checkModelName } from '../../activities/registry/names';

const sha = 'a'.repeat(64);

describe('registry file names and manifests', () => {
  it('takes relative paths inside the version', () => {
    expect(checkManifestPath('facemodel.pickle')).toBe('facemodel.pickle');
    expect(checkManifestPath('variants/short_range.tflite')).toBe('variants/short_range.tflite');
  });

  it.each([
    ['/etc/passwd', /is absolute/],
    ['C:/models/x.bin', /is absolute/],
    ['../outside', /cannot be stored/],
    ['a/../../b', /cannot be stored/],
    ['a\\b', /cannot be stored/],
    ['a//b', /cannot be stored/],
    ['dir/', /cannot be stored/],
    ['x\u0000y', /cannot be stored/],
    ['manifest.json', /sluice writes the manifest itself/],
  ])('refuses %j', (name, message) => {
    expect(() => checkManifestPath(name)).toThrow(RegistryError);
    expect(() => checkManifestPath(name)).toThrow(message);
  });

  it('refuses file lists that are empty, repeat a name, or carry bad sizes or digests', () => {
    expect(() => checkManifestFiles([])).toThrow(/at least one file/);
    expect(() => checkManifestFiles([{ path: 'a', size: 1, sha256: sha }, { path: 'a', size: 1, sha256: sha }])).toThrow(/listed twice/);
    expect(() => checkManifestFiles([{ path: 'a', size: -1, sha256: sha }])).toThrow(/has size -1/);
    expect(() => checkManifestFiles([{ path: 'a', size: 1.5, sha256: sha }])).toThrow(/has size 1\.5/);
    expect(() => checkManifestFiles([{ path: 'a', size: 1, sha256: 'XYZ' }])).toThrow(/no valid sha256/);
    expect(() => checkManifestFiles(Array.from({ length: 10_001 }, (_, i) => ({ path: `f${i}`, size: 1, sha256: sha })))).toThrow(/more than the 10000 allowed/);
  });

  it('takes SentinelCam\'s model names and refuses anything that could be a path', () => {
    for (const name of ['mobilenet_ssd', 'face_detection_blazeface', 'coral_packages', 'facelist']) expect(checkModelName(name)).toBe(name);
    for (const name of ['', 'Face', '../x', 'a/b', 'a b', '_staging', 'x'.repeat(65)]) expect(() => checkModelName(name)).toThrow(RegistryError);
  });
});
