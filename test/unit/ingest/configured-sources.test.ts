import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findSource } from '../../../activities/ingest/configured-sources';
import { GFS, HRRR } from '../../../activities/ingest/sources';
import { desiredSchedules } from '../../../clients/schedules/desired-schedules';
import { loadConfig } from '../../../infra/config/load-config';
import { UserError } from '../../../infra/errors/user-error';

function load(yaml: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ingest-config-'));
  const file = path.join(dir, 'sluice.yaml');
  fs.writeFileSync(file, yaml);
  return loadConfig({ file, env: {} });
}

function loadError(yaml: string): UserError {
  try {
    load(yaml);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('ingest sources from config', () => {
  it('are the seed\'s defaults when config says nothing, none of them enabled or scheduled', () => {
    const settings = load('');
    expect(settings.ingestSources.map((entry) => [entry.source.id, entry.enabled])).toEqual([
      ['gfs', false],
      ['hrrr', false],
      ['goes16', false],
      ['goes18', false],
      ['mrms', false],
    ]);
    expect(findSource(settings.ingestSources, 'gfs')).toEqual(GFS);
    // Only the registry's weekly cleanup, which is on unless turned off.
    expect(Object.keys(desiredSchedules(settings))).toEqual(['registry-cleanup']);
  });

  it('lay the given fields over the defaults; an empty entry enables a source as it is', () => {
    const settings = load('ingest:\n  sources:\n    hrrr: {}\n    gfs:\n      bucket: my-mirror\n      delayHours: 5\n      parameters: [{ shortName: APCP, level: surface }]\n');
    expect(findSource(settings.ingestSources, 'hrrr')).toEqual(HRRR);
    expect(findSource(settings.ingestSources, 'gfs')).toEqual({
      ...GFS,
      bucket: 'my-mirror',
      parameters: [{ shortName: 'APCP', level: 'surface' }],
      schedule: { ...GFS.schedule, delayHours: 5 },
    });
    expect(settings.ingestSources.filter((entry) => entry.enabled).map((entry) => entry.source.id)).toEqual(['gfs', 'hrrr']);
  });

  it('drop HRRR\'s 48 h extension when forecast hours are shortened without one', () => {
    const settings = load('ingest:\n  sources:\n    hrrr:\n      forecastHours: { start: 0, end: 6, step: 1 }\n');
    expect(findSource(settings.ingestSources, 'hrrr').schedule).not.toHaveProperty('extendedForecastHours');
  });

  it('refuse what would plan nonsense, naming the field', () => {
    expect(loadError('ingest:\n  sources:\n    gfs:\n      lookbackHours: 200\n').message).toMatch(/ingest\.sources\.gfs: lookbackHours 200 is longer than retentionHours 168/);
    expect(loadError('ingest:\n  sources:\n    gfs:\n      keyTemplate: "gfs.{YYYYMMDD}/{CYCLE}/f{FFF}"\n').message).toMatch(/ingest\.sources\.gfs: .*uses \{CYCLE\}/);
    expect(loadError('ingest:\n  sources:\n    gfs:\n      forecastHours: { start: 6, end: 3, step: 1 }\n').message).toMatch(/forecastHours\.end 3 is not an integer ≥ start/);
    expect(loadError('ingest:\n  sources:\n    gfs:\n      cycles: [24]\n').message).toMatch(/ingest\.sources\.gfs\.cycles\.0/);
    expect(loadError('ingest:\n  sources:\n    ecmwf: {}\n').message).toMatch(/unknown key "ecmwf"/);
    expect(loadError('ingest:\n  sources:\n    goes16:\n      bands: [C17]\n').message).toMatch(/expected an ABI band C01…C16/);
    expect(loadError('ingest:\n  sources:\n    gfs:\n      parameters: [{ shortName: "TMP:2", level: x }]\n').message).toMatch(/GRIB short name/);
    expect(loadError('ingest:\n  parallelism: 0\n').message).toMatch(/ingest\.parallelism/);
    expect(loadError('purge:\n  every: 1 hour\n').message).toMatch(/purge\.every/);
  });

  it('schedule each enabled source every poll interval, and the purge, when ingest.enabled', () => {
    const settings = load('ingest:\n  enabled: true\n  sources:\n    goes16: {}\n    mrms: { enabled: false }\npurge:\n  every: 30m\nschedules:\n  purge-weather:\n    workflow: purgeWeather\n    cron: "15 * * * *"\n');
    const schedules = desiredSchedules(settings);
    expect(Object.keys(schedules).sort()).toEqual(['ingest-goes16', 'purge-weather', 'registry-cleanup']);
    expect(schedules['ingest-goes16']).toMatchObject({ workflow: 'ingestCycle', input: { source: 'goes16' }, every: '300s', overlap: 'skip', catchupWindow: '300s' });
    // A schedule declared by hand wins over the derived one.
    expect(schedules['purge-weather']).toMatchObject({ cron: '15 * * * *' });
  });

  it('schedule the registry cleanup weekly, Sundays at 03:00 unless config says otherwise', () => {
    expect(desiredSchedules(load(''))['registry-cleanup']).toMatchObject({ workflow: 'registryCleanup', cron: '0 3 * * 0', timezone: 'UTC', overlap: 'skip' });
    const custom = load('registry:\n  cleanup: { cron: "30 4 * * 6", timezone: Europe/Berlin }\n');
    expect(desiredSchedules(custom)['registry-cleanup']).toMatchObject({ cron: '30 4 * * 6', timezone: 'Europe/Berlin' });
    expect(desiredSchedules(load('registry:\n  cleanup: { enabled: false }\n'))).toEqual({});
  });
});
