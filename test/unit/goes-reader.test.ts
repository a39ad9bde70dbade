import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GoesFormatError, readGoesCmi } from '../../activities/formats/goes/read-goes-cmi';
import { projectRoot } from '../../infra/project-root';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-goes-'));
const script = path.join(projectRoot(), 'test/fixtures/goes/make-goes-cmi.mjs');

function made(name: string, omit?: string): string {
  const file = path.join(dir, name);
  execFileSync(process.execPath, [script, file, '2', '2024-05-01T12:01:17.0Z', '2024-05-01T12:03:54.3Z', ...(omit ? [omit] : [])]);
  return file;
}

function written(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('readGoesCmi (h5wasm)', () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads band, scan times, extent and scaled values, NaN at the fill value', async () => {
    const image = await readGoesCmi(made('ok.nc'));
    expect(image).toMatchObject({ band: 2, rows: 30, columns: 50, units: 'K', platform: 'G16' });
    expect(image.scanStart.toISOString()).toBe('2024-05-01T12:01:17.000Z');
    expect(image.scanEnd.toISOString()).toBe('2024-05-01T12:03:54.300Z');
    expect(image.extent.west).toBeCloseTo(-152.1, 4);
    expect(image.extent.north).toBeCloseTo(56.8, 4);
    expect(Number.isNaN(image.values[0])).toBe(true);
    // Stored 1 × 0.05 + 150, as float32.
    expect(image.values[1]).toBeCloseTo(150.05, 4);
    expect(image.values.length).toBe(1500);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /is empty/],
    ['a classic NetCDF-3 file', Buffer.concat([Buffer.from('CDF\x01'), Buffer.alloc(100)]), /classic NetCDF \(version 3\)/],
    ['random bytes', Buffer.from('this is not a satellite image at all, just text'), /is not HDF5/],
    ["a truncated HDF5 file", Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]), /HDF5/],
  ])('refuses %s with a GoesFormatError naming the file', async (_name, bytes, message) => {
    const file = written(`bad-${Math.random()}.nc`, bytes);
    const err = await readGoesCmi(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoesFormatError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses an HDF5 file without the CMI variable or without an extent', async () => {
    await expect(readGoesCmi(made('no-cmi.nc', 'CMI'))).rejects.toThrow(/has no CMI dataset/);
    await expect(readGoesCmi(made('no-extent.nc', 'geospatial_lat_lon_extent'))).rejects.toThrow(/geospatial_lat_lon_extent/);
  });

  it('finds the HDF5 signature after a 512-byte user block, as HDF5 allows', async () => {
    const shifted = written('shifted.nc', Buffer.concat([Buffer.alloc(512), fs.readFileSync(made('shifted-source.nc'))]));
    await expect(readGoesCmi(shifted)).resolves.toMatchObject({ band: 2, rows: 30, columns: 50 });
  });
});
