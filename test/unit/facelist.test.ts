import { Readable } from 'node:stream';
import { RegistryError } from '../../activities/registry/errors';
import { checkFacelistCsv, FACELIST_COLUMNS } from '../../activities/registry/facelist';

const HEADER = FACELIST_COLUMNS.join(',');
const ROW = '2024-05-01,0f3c9a7e2b8d4c61a5e7f9d0b1c2a3e4,2024-05-01 12:00:01.123456,3,0,1,"Doe, Jane",0.9871,0.412345,0.101234,10,20,110,140,40,60,80,60,40,0,1.5,123.45';

const stream = (text: string) => Readable.from([text]);

async function refused(text: string): Promise<string> {
  const err = await checkFacelistCsv(stream(text), 'facelist.csv').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RegistryError);
  return (err as Error).message;
}

describe('facelist CSV (SentinelCam\'s FaceSweep columns)', () => {
  it('accepts FaceSweep\'s columns, quoted names with commas, empty floats (pandas NaN) and date_in_use', async () => {
    expect(await checkFacelistCsv(stream(`${HEADER}\n${ROW}\n${ROW.replace('"Doe, Jane"', 'Smith').replace(',0.9871,', ',,')}\n`))).toEqual({ rows: 2, names: 2 });
    expect(await checkFacelistCsv(stream(`${HEADER},date_in_use\r\n${ROW},2024-05-02\r\n`))).toEqual({ rows: 1, names: 1 });
  });

  it.each([
    ['missing columns', `date,event,timestamp\n2024-05-01,abc,2024-05-01 12:00:00\n`, /line 1: missing columns: objid, source, status, name/],
    ['an unknown column', `${HEADER},shoe_size\n`, /unknown columns: shoe_size/],
    ['a date that does not exist', `${HEADER}\n${ROW.replace('2024-05-01,0f', '2025-02-30,0f')}\n`, /line 2: date "2025-02-30" is not a real YYYY-MM-DD date/],
    ['a timestamp at 25 o\'clock', `${HEADER}\n${ROW.replace('12:00:01', '25:00:01')}\n`, /line 2: timestamp .* is not a real date and time/],
    ['a status of 7', `${HEADER}\n${ROW.replace(',0,1,"Doe', ',0,7,"Doe')}\n`, /status "7" is not 0–4/],
    ['a float that is not a number', `${HEADER}\n${ROW.replace('0.9871', 'high')}\n`, /proba "high" is not a number/],
    ['an integer that is a float', `${HEADER}\n${ROW.replace(',10,20,', ',10.5,20,')}\n`, /x1 "10\.5" is not a whole number/],
    ['too few fields', `${HEADER}\n2024-05-01,abc\n`, /line 2: has 2 fields, the header 22/],
    ['an unterminated quote', `${HEADER}\n${ROW.replace('"Doe, Jane"', '"Doe, Jane')}\n`, /line 2: has a quoted field that does not end on this line/],
    ['an empty file', '', /the file is empty/],
    ['a NUL byte', `${HEADER}\n${ROW.replace('Jane', 'Ja\u0000ne')}\n`, /line 2: contains a NUL byte/],
    ['a 100 KB line', `${HEADER}\n${'x'.repeat(100_000)}\n`, /line 2: is longer than 65536 characters/],
  ])('refuses %s, naming the line', async (_name, text, message) => {
    expect(await refused(text)).toMatch(message);
  });

  it('reports at most ten problems of a long bad file and stops reading', async () => {
    const bad = `${HEADER}\n${Array.from({ length: 100_000 }, () => ROW.replace(',0,1,"Doe', ',0,9,"Doe')).join('\n')}\n`;
    const message = await refused(bad);
    expect(message.match(/status "9"/g)).toHaveLength(10);
    expect(message).toMatch(/; and more$/);
  });
});
