import { DEFAULT_SOURCES, GFS, GOES16, GOES18, HRRR, MRMS } from '../../../activities/ingest/sources';

describe('ingest source defaults', () => {
  it('use NOAA\'s public buckets', () => {
    expect(DEFAULT_SOURCES.map((s) => [s.id, s.bucket])).toEqual([
      ['gfs', 'noaa-gfs-bdp-pds'],
      ['hrrr', 'noaa-hrrr-bdp-pds'],
      ['goes16', 'noaa-goes16'],
      ['goes18', 'noaa-goes18'],
      ['mrms', 'noaa-mrms-pds'],
    ]);
  });

  it('take the seed\'s schedule and retention table', () => {
    expect(GFS.schedule).toMatchObject({ cycles: [0, 6, 12, 18], forecastHours: { start: 0, end: 384, step: 3 }, pollIntervalSeconds: 3600, delayHours: 4 });
    expect(GFS.retentionHours).toBe(168);
    expect(HRRR.schedule).toMatchObject({ pollIntervalSeconds: 3600, delayHours: 2, lookbackHours: 48 });
    expect(HRRR.schedule.cycles).toHaveLength(24);
    expect(HRRR.retentionHours).toBe(72);
    for (const goes of [GOES16, GOES18]) {
      expect(goes.schedule).toEqual({ pollIntervalSeconds: 300, delayMinutes: 15, lookbackHours: 2 });
      expect(goes.retentionHours).toBe(24);
      expect(goes.bands).toEqual(['C02', 'C08', 'C13']);
      expect(goes.product).toBe('ABI-L2-CMIPC');
    }
    expect(MRMS.schedule).toMatchObject({ pollIntervalSeconds: 120, delayMinutes: 2 });
    expect(MRMS.retentionHours).toBe(24);
    expect(MRMS.products.map((p) => p.name)).toEqual(['MergedReflectivityQCComposite', 'PrecipRate']);
  });

  it('name the satellite each bucket holds', () => {
    expect([GOES16.satellite, GOES18.satellite]).toEqual(['G16', 'G18']);
  });

  it('name parameters as the GRIB2 reader prints them', () => {
    expect(GFS.parameters).toContainEqual({ shortName: 'TMP', level: '2 m above ground' });
    expect(GFS.parameters).toContainEqual({ shortName: 'HGT', level: '500 mb' });
    expect(HRRR.parameters).toContainEqual({ shortName: 'REFC', level: 'entire atmosphere' });
    // APCP is missing from f000, so a default that asked for it would fail every analysis file.
    expect([...GFS.parameters, ...HRRR.parameters].map((p) => p.shortName)).not.toContain('APCP');
  });

  it('fit within a look-back no longer than their retention', () => {
    for (const source of DEFAULT_SOURCES) expect(source.schedule.lookbackHours).toBeLessThanOrEqual(source.retentionHours);
  });
});
