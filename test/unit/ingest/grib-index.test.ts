import { byteRangesFor, GribIndexError, parseGribIndex, rangeHeader, type GribIndexEntry } from '../../../activities/ingest/grib-index';
import { UserError } from '../../../infra/errors/user-error';

const GFS_IDX = [
  '1:0:d=2024050112:PRMSL:mean sea level:anl:',
  '2:990253:d=2024050112:CLMR:1 hybrid level:anl:',
  '3:1079067:d=2024050112:TMP:2 m above ground:6 hour fcst:',
  '4:1800000:d=2024050112:UGRD:10 m above ground:6 hour fcst:',
  '5:2500000:d=2024050112:VGRD:10 m above ground:6 hour fcst:',
  '6:3200000:d=2024050112:APCP:surface:0-6 hour acc fcst:',
  '7:3900000:d=2024050112:HGT:500 mb:6 hour fcst:',
  '',
].join('\n');
const SIZE = 4_000_000;

function refusal(fn: () => unknown): GribIndexError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GribIndexError);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).name).toBe('GribIndexError');
    return err as GribIndexError;
  }
  throw new Error('expected a GribIndexError');
}

const summary = (ranges: ReturnType<typeof byteRangesFor>) => ranges.map((r) => [r.start, r.end, r.entries.map((e) => e.shortName)]);

describe('parseGribIndex', () => {
  it('reads every field of NCEP inventory lines', () => {
    const entries = parseGribIndex(GFS_IDX);
    expect(entries).toHaveLength(7);
    expect(entries[2]).toEqual({
      line: 3,
      messageNumber: 3,
      subMessage: undefined,
      offset: 1079067,
      referenceTime: new Date('2024-05-01T12:00:00Z'),
      shortName: 'TMP',
      level: '2 m above ground',
      forecast: '6 hour fcst',
      extra: '',
    });
    expect(entries[5]?.forecast).toBe('0-6 hour acc fcst');
  });

  it('accepts CRLF line ends, blank lines, and no final newline', () => {
    const crlf = parseGribIndex(`${GFS_IDX.trimEnd().split('\n').join('\r\n')}\r\n\r\n  \r\n`);
    expect(crlf).toEqual(parseGribIndex(GFS_IDX));
    expect(crlf[6]?.forecast).toBe('6 hour fcst');
    expect(parseGribIndex('1:0:d=2024050112:TMP:surface:anl')[0]?.forecast).toBe('anl');
  });

  it('keeps colons inside the level, and extra fields after the forecast', () => {
    const [entry, second] = parseGribIndex('1:0:d=2024050112:TMP:layer a:b above ground:6 hour fcst:\n2:10:d=2024050112:TMP:2 m above ground:6 hour fcst:ENS=low-res ctl:\n');
    expect(entry).toMatchObject({ level: 'layer a:b above ground', forecast: '6 hour fcst', extra: '' });
    expect(second).toMatchObject({ level: '2 m above ground', forecast: '6 hour fcst', extra: 'ENS=low-res ctl' });
  });

  it('reads sub-messages N.M as parts of message N at its offset', () => {
    const entries = parseGribIndex(['1:0:d=2024050112:TMP:surface:anl:', '2.1:500:d=2024050112:UGRD:10 m above ground:anl:', '2.2:500:d=2024050112:VGRD:10 m above ground:anl:', '3:900:d=2024050112:REFC:entire atmosphere:anl:'].join('\n'));
    expect(entries.map((e) => [e.messageNumber, e.subMessage, e.offset])).toEqual([
      [1, undefined, 0],
      [2, 1, 500],
      [2, 2, 500],
      [3, undefined, 900],
    ]);
  });

  it.each([
    ['an empty file', '', undefined, /the index is empty/],
    ['only blank lines', '\r\n\n  \n', undefined, /the index is empty/],
    ['a non-numeric offset', '1:0:d=2024050112:TMP:surface:anl:\n2:12x4:d=2024050112:TMP:surface:anl:', 2, /offset "12x4" is not a whole number/],
    ['a negative offset', '1:-5:d=2024050112:TMP:surface:anl:', 1, /offset "-5"/],
    ['a non-numeric message number', 'one:0:d=2024050112:TMP:surface:anl:', 1, /message number "one" is not a number/],
    ['a bad reference time', '1:0:d=20240230:TMP:surface:anl:', 1, /reference time "d=20240230" is not d=YYYYMMDDHH/],
    ['30 February', '1:0:d=2024023012:TMP:surface:anl:', 1, /reference time/],
    ['too few fields', '1:0:d=2024050112:TMP:', 1, /expected at least 6 fields/],
    ['an empty level', '1:0:d=2024050112:TMP::anl:', 1, /the level is empty/],
    ['an empty name', '1:0:d=2024050112::surface:anl:', 1, /the parameter name is empty/],
    ['offsets not increasing', '1:0:d=2024050112:TMP:surface:anl:\n2:100:d=2024050112:RH:surface:anl:\n3:100:d=2024050112:UGRD:surface:anl:', 3, /offset 100 of message 3 is not after offset 100 of message 2 \(line 2\)/],
    ['offsets going back', '1:0:d=2024050112:TMP:surface:anl:\n2:100:d=2024050112:RH:surface:anl:\n3:50:d=2024050112:UGRD:surface:anl:', 3, /not after/],
    ['a duplicate message', '1:0:d=2024050112:TMP:surface:anl:\n2:100:d=2024050112:RH:surface:anl:\n2:100:d=2024050112:RH:surface:anl:', 3, /message 2 is listed twice or out of order/],
    ['an earlier message again', '1:0:d=2024050112:TMP:surface:anl:\n2:100:d=2024050112:RH:surface:anl:\n\n1:200:d=2024050112:RH:surface:anl:', 4, /duplicate message number 1 \(first on line 1\)/],
    ['a gap in message numbers', '1:0:d=2024050112:TMP:surface:anl:\n3:100:d=2024050112:RH:surface:anl:', 2, /jump from 1 to 3/],
    ['a first message other than 1', '5:0:d=2024050112:TMP:surface:anl:', 1, /the first message is 5, not 1/],
    ['a sub-message off its message\'s offset', '1:0:d=2024050112:TMP:surface:anl:\n2.1:100:d=2024050112:UGRD:surface:anl:\n2.2:150:d=2024050112:VGRD:surface:anl:', 3, /sub-message 2.2 is at offset 150, not at its message's offset 100/],
    ['sub-messages out of order', '1:0:d=2024050112:TMP:surface:anl:\n2.2:100:d=2024050112:UGRD:surface:anl:\n2.1:100:d=2024050112:VGRD:surface:anl:', 3, /message 2.1 is listed twice or out of order \(after 2.2 on line 2\)/],
    ['message 0', '0:0:d=2024050112:TMP:surface:anl:', 1, /message numbers start at 1/],
    ['an unsafe offset', `1:0:d=2024050112:TMP:surface:anl:\n2:${'9'.repeat(16)}:d=2024050112:TMP:surface:anl:`, 2, /too large/],
  ])('refuses %s, naming the line', (_what, text, line, problem) => {
    const err = refusal(() => parseGribIndex(text, 'gfs.t12z.pgrb2.0p25.f006.idx'));
    expect(err.line).toBe(line);
    expect(err.message).toMatch(problem);
    expect(err.message.startsWith(`gfs.t12z.pgrb2.0p25.f006.idx${line === undefined ? ':' : ` line ${line}:`}`)).toBe(true);
  });

  it('keeps messages about hostile lines short', () => {
    const err = refusal(() => parseGribIndex(`1:0:${'x'.repeat(4000)}`));
    expect(err.message.length).toBeLessThan(400);
  });

  it('parses a 50 MB inventory in linear time', () => {
    const lines: string[] = [];
    let size = 0;
    for (let n = 1; size < 50_000_000; n++) {
      const line = `${n}:${n * 1000}:d=2024050112:TMP:${n} m above ground:${n % 384} hour fcst:\n`;
      lines.push(line);
      size += line.length;
    }
    const text = lines.join('');
    const started = Date.now();
    const entries = parseGribIndex(text);
    const elapsed = Date.now() - started;
    expect(entries).toHaveLength(lines.length);
    expect(entries[entries.length - 1]?.level).toBe(`${lines.length} m above ground`);
    expect(elapsed).toBeLessThan(15_000);
    const ranges = byteRangesFor(entries, [{ shortName: 'TMP', level: '7 m above ground' }], lines.length * 1000 + 5000);
    expect(ranges.map((r) => [r.start, r.end])).toEqual([[7000, 7999]]);
  });

  it('refuses a level made only of colons', () => {
    expect(refusal(() => parseGribIndex(`1:0:d=2024050112:TMP:${':'.repeat(100)}`)).message).toMatch(/the level is empty/);
  });

  it('refuses a 50 MB line of colons quickly', () => {
    const started = Date.now();
    const err = refusal(() => parseGribIndex(`1:0:d=2024050112:TMP:${':'.repeat(50_000_000)}`));
    expect(err.message).toBe('GRIB index line 1: the line is 50000021 characters long; inventory lines are at most 4096');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('byteRangesFor', () => {
  const entries = parseGribIndex(GFS_IDX, 'f006.idx');

  it('ends each message where the next begins, and the last at objectSize − 1', () => {
    expect(summary(byteRangesFor(entries, [{ shortName: 'PRMSL', level: 'mean sea level' }], SIZE))).toEqual([[0, 990252, ['PRMSL']]]);
    expect(summary(byteRangesFor(entries, [{ shortName: 'HGT', level: '500 mb' }], SIZE))).toEqual([[3900000, 3999999, ['HGT']]]);
  });

  it('merges adjacent messages and keeps gaps apart', () => {
    const wanted = [
      { shortName: 'HGT', level: '500 mb' },
      { shortName: 'TMP', level: '2 m above ground' },
      { shortName: 'UGRD', level: '10 m above ground' },
      { shortName: 'VGRD', level: '10 m above ground' },
      { shortName: 'PRMSL', level: 'mean sea level' },
      { shortName: 'TMP', level: '2 m above ground' },
    ];
    const ranges = byteRangesFor(entries, wanted, SIZE);
    expect(summary(ranges)).toEqual([
      [0, 990252, ['PRMSL']],
      [1079067, 3199999, ['TMP', 'UGRD', 'VGRD']],
      [3900000, 3999999, ['HGT']],
    ]);
    expect(ranges.map(rangeHeader)).toEqual(['bytes=0-990252', 'bytes=1079067-3199999', 'bytes=3900000-3999999']);
  });

  it('merges everything into one range when every message is wanted', () => {
    const all = entries.map(({ shortName, level }) => ({ shortName, level }));
    expect(summary(byteRangesFor(entries, all, SIZE))).toEqual([[0, SIZE - 1, ['PRMSL', 'CLMR', 'TMP', 'UGRD', 'VGRD', 'APCP', 'HGT']]]);
  });

  it('returns nothing when nothing is wanted', () => {
    expect(byteRangesFor(entries, [], SIZE)).toEqual([]);
  });

  it('fetches the whole message for a sub-message, once', () => {
    const hrrr = parseGribIndex(['1:0:d=2024050112:REFC:entire atmosphere:anl:', '2.1:500:d=2024050112:UGRD:10 m above ground:anl:', '2.2:500:d=2024050112:VGRD:10 m above ground:anl:', '3:900:d=2024050112:TMP:2 m above ground:anl:'].join('\n'));
    expect(summary(byteRangesFor(hrrr, [{ shortName: 'VGRD', level: '10 m above ground' }], 1000))).toEqual([[500, 899, ['UGRD', 'VGRD']]]);
    expect(summary(byteRangesFor(hrrr, [{ shortName: 'UGRD', level: '10 m above ground' }, { shortName: 'VGRD', level: '10 m above ground' }, { shortName: 'TMP', level: '2 m above ground' }], 1000))).toEqual([[500, 999, ['UGRD', 'VGRD', 'TMP']]]);
  });

  it('brings every message of a parameter listed twice', () => {
    const twice = parseGribIndex(['1:0:d=2024050112:APCP:surface:0-6 hour acc fcst:', '2:100:d=2024050112:TMP:surface:6 hour fcst:', '3:200:d=2024050112:APCP:surface:5-6 hour acc fcst:'].join('\n'));
    expect(summary(byteRangesFor(twice, [{ shortName: 'APCP', level: 'surface' }], 300))).toEqual([[0, 99, ['APCP']], [200, 299, ['APCP']]]);
  });

  it('names every wanted parameter missing from the index', () => {
    const err = refusal(() => byteRangesFor(entries, [{ shortName: 'TMP', level: '2 m above ground' }, { shortName: 'REFC', level: 'entire atmosphere' }, { shortName: 'TMP', level: '850 mb' }, { shortName: 'REFC', level: 'entire atmosphere' }], SIZE, 'f006.idx'));
    expect(err.message).toBe('f006.idx: not in the index: REFC at "entire atmosphere", TMP at "850 mb"');
    expect(err.missing).toEqual([{ shortName: 'REFC', level: 'entire atmosphere' }, { shortName: 'TMP', level: '850 mb' }]);
    expect(err.line).toBeUndefined();
  });

  it('matches the level exactly', () => {
    expect(refusal(() => byteRangesFor(entries, [{ shortName: 'TMP', level: '2 m above ground ' }], SIZE)).missing).toHaveLength(1);
  });

  it('refuses an offset past the object, naming its line', () => {
    const err = refusal(() => byteRangesFor(entries, [{ shortName: 'PRMSL', level: 'mean sea level' }], 3_900_000, 'f006.idx'));
    expect(err.line).toBe(7);
    expect(err.message).toBe('f006.idx line 7: offset 3900000 is past the end of the 3900000-byte object: the index belongs to another version of the file');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses object size %p', (size) => {
    expect(refusal(() => byteRangesFor(entries, [], size)).message).toMatch(/object size .* is not a positive whole number/);
  });

  it('refuses entries it did not get from the parser when they are out of order', () => {
    const shuffled: GribIndexEntry[] = [entries[1]!, entries[0]!];
    expect(refusal(() => byteRangesFor(shuffled, [], SIZE)).message).toMatch(/line 1: offset 0 is not after offset 990253/);
    expect(refusal(() => byteRangesFor([], [], SIZE)).message).toMatch(/the index is empty/);
  });
});
