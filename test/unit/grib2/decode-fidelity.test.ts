import { listGribMessages, type DecodedField, type GribMessage } from '../../../activities/formats/grib2';
import { FIXTURE_NAMES, fixturePath, numberKey, referenceFields, type ReferenceField } from './fixtures';

/**
 * Every value of every fixture field, decoded by the reader, against ecCodes' value for it.
 * Each packing rounds a value to a multiple of 2^E/10^D, so an off-by-one packed integer is a
 * full step off: half a step of tolerance tells right from wrong. The reader also reproduces
 * ecCodes' floating-point steps, so the values are in fact identical, which is checked too.
 */
describe.each(FIXTURE_NAMES)('%s decodes as ecCodes decodes it', (name) => {
  const reference = referenceFields(name);
  let decoded: { message: GribMessage; field: DecodedField }[];

  beforeAll(async () => {
    const messages = await listGribMessages(fixturePath(name));
    decoded = await Promise.all(messages.map(async (message) => ({ message, field: await message.decode() })));
  });

  it('has the fields ecCodes lists', () => {
    expect(decoded).toHaveLength(reference.length);
  });

  it.each(reference.map((field, index) => [index + 1, field] as const))('field %i: every value within half a packing step of ecCodes', (number, expected) => {
    const { field } = decoded[number - 1]!;
    const tolerance = halfPackingStep(expected);
    expect(field.values).toHaveLength(expected.values.length);
    const wrong: string[] = [];
    expected.values.forEach((value, k) => {
      const actual = field.values[k]!;
      const ok = value === null ? Number.isNaN(actual) : Math.abs(actual - value) <= tolerance;
      if (!ok && wrong.length < 5) wrong.push(`value ${k}: ${actual}, ecCodes ${value}`);
    });
    expect(wrong).toEqual([]);
  });

  it.each(reference.map((field, index) => [index + 1, field] as const))('field %i: values identical to ecCodes, bit for bit', (number, expected) => {
    const { field } = decoded[number - 1]!;
    const differing = expected.values.filter((value, k) => (value === null ? !Number.isNaN(field.values[k]!) : field.values[k] !== value)).length;
    expect(differing).toBe(0);
  });

  it.each(reference.map((field, index) => [index + 1, field] as const))('field %i: min, max, mean and missing count as ecCodes', (number, expected) => {
    const { field } = decoded[number - 1]!;
    expect(field.missing).toBe(numberKey(expected, 'numberOfMissing'));
    expect(field.min).toBe(numberKey(expected, 'min'));
    expect(field.max).toBe(numberKey(expected, 'max'));
    // A mean is a sum; summation order may differ from ecCodes' in the last bits.
    expect(field.mean).toBeCloseTo(numberKey(expected, 'average'), 9);
  });
});

/** 0.5 · 2^E / 10^D: half the step between two packed values. */
function halfPackingStep(field: ReferenceField): number {
  return (0.5 * 2 ** numberKey(field, 'binaryScaleFactor')) / 10 ** numberKey(field, 'decimalScaleFactor');
}
