import { gridIndicesOf, gridPointLocator, listGribMessages, type Grid } from '../../../activities/formats/grib2';
import { LambertConformalProjection } from '../../../activities/formats/grib2/grids/lambert-projection';
import { fixturePath, referenceFields } from './fixtures';
import { lambertGridSection, latLonGridSection, simpleMessage } from './grib-builder';

async function gridOf(bytes: Buffer): Promise<Grid> {
  const [message] = await listGribMessages(bytes);
  return message!.meta.grid;
}

describe.each(['lambert-hrrr-refc.grib2', 'lambert-wgs84-dpt.grib2'])('Lambert conformal grid of %s', (name) => {
  const [expected] = referenceFields(name);
  const latitudes = expected!.latitudes!;
  const longitudes = expected!.longitudes!;
  let grid: Grid;

  beforeAll(async () => {
    const [message] = await listGribMessages(fixturePath(name));
    grid = message!.meta.grid;
  });

  it('puts every point where ecCodes puts it', () => {
    const locate = gridPointLocator(grid);
    let worst = 0;
    for (let k = 0; k < latitudes.length; k++) {
      const { i, j } = gridIndicesOf(grid, k);
      const point = locate(i, j);
      worst = Math.max(worst, Math.abs(point.lat - latitudes[k]!), Math.abs(point.lon - longitudes[k]!));
    }
    // ecCodes rounds the WGS84 minor axis to the millimetre; that is 1e-9° here.
    expect(worst).toBeLessThan(1e-8);
  });

  it('has the bounding box of all its points, the bowed northern edge included', () => {
    if (grid.template !== 30) throw new Error('expected a Lambert grid');
    const box = grid.boundingBox;
    expect(box.south).toBeCloseTo(Math.min(...latitudes), 8);
    expect(box.north).toBeCloseTo(Math.max(...latitudes), 8);
    expect(box.west).toBeCloseTo(Math.min(...longitudes), 8);
    expect(box.east).toBeCloseTo(Math.max(...longitudes), 8);
    // The northern edge's middle lies north of both northern corners.
    expect(box.north).toBeGreaterThan(Math.max(grid.corners[2].lat, grid.corners[3].lat) + 0.01);
  });

  it('has the corners ecCodes gives for the first and last points of the first and last rows', () => {
    if (grid.template !== 30) throw new Error('expected a Lambert grid');
    const last = latitudes.length - 1;
    const rowEnd = grid.ni - 1;
    const rowStart = last - rowEnd;
    const corners = grid.corners;
    [0, rowEnd, rowStart, last].forEach((k, c) => {
      expect(corners[c]!.lat).toBeCloseTo(latitudes[k]!, 8);
      expect(corners[c]!.lon).toBeCloseTo(longitudes[k]!, 8);
    });
  });
});

describe('the full HRRR grid (1799×1059 points, 3 km)', () => {
  // HRRR's own section 3. The numbers are what ecCodes 2.28's grib_get_data gives for this grid.
  const hrrr = lambertGridSection({ nx: 1799, ny: 1059, first: [21.138123, 237.280472], lad: 38.5, lov: 262.5, latin1: 38.5, latin2: 38.5, dx: 3000, dy: 3000 });

  it('has the corners and the bounding box ecCodes computes, found without walking 1.9 million points', async () => {
    const started = performance.now();
    const grid = await gridOf(simpleMessage({ grid: hrrr, packed: [], bitsPerValue: 0, numberOfValues: 1799 * 1059, referenceValue: 1 }));
    if (grid.template !== 30) throw new Error('expected a Lambert grid');
    expect(performance.now() - started).toBeLessThan(1000);
    const expectedCorners = [
      [21.138123, 237.280472],
      [21.1405466254, 287.710281509],
      [47.8386234988, 225.9045202657],
      [47.8421950225, 299.0828072282],
    ];
    grid.corners.forEach((corner, c) => {
      expect(corner.lat).toBeCloseTo(expectedCorners[c]![0]!, 8);
      expect(corner.lon).toBeCloseTo(expectedCorners[c]![1]!, 8);
    });
    expect(grid.boundingBox.south).toBeCloseTo(21.138123, 8);
    expect(grid.boundingBox.north).toBeCloseTo(52.6156533068, 8);
    expect(grid.boundingBox.west).toBeCloseTo(225.9045202657, 8);
    expect(grid.boundingBox.east).toBeCloseTo(299.0828072282, 8);
  });

  it('decodes its constant field to one value per point', async () => {
    const [message] = await listGribMessages(simpleMessage({ grid: hrrr, packed: [], bitsPerValue: 0, numberOfValues: 1799 * 1059, referenceValue: 1 }));
    const field = await message!.decode();
    expect(field.values).toHaveLength(1_905_141);
    expect([field.min, field.max, field.mean, field.missing]).toEqual([1, 1, 1, 0]);
  });
});

describe('bounding boxes of grids at the edges of the map', () => {
  it('a lat/lon grid across the prime meridian keeps west < east, east past 360', async () => {
    const grid = await gridOf(simpleMessage({ grid: latLonGridSection({ ni: 21, nj: 2, first: [10, 350], last: [9, 10], increments: [1, 1] }), packed: new Array(42).fill(0), bitsPerValue: 1 }));
    expect(grid.boundingBox).toEqual({ west: 350, east: 370, south: 9, north: 10 });
    expect(gridPointLocator(grid)(12, 1)).toEqual({ lat: 9, lon: 2 });
  });

  it('a lat/lon grid scanning east to west starts its box at the last point', async () => {
    const grid = await gridOf(simpleMessage({ grid: latLonGridSection({ ni: 11, nj: 3, first: [0, 20], last: [2, 10], increments: [1, 1], scanningMode: 0xc0 }), packed: new Array(33).fill(0), bitsPerValue: 1 }));
    expect(grid.boundingBox).toEqual({ west: 10, east: 20, south: 0, north: 2 });
    expect(gridPointLocator(grid)(3, 2)).toEqual({ lat: 2, lon: 17 });
  });

  it('a Lambert grid around the north pole reaches the pole and every longitude', async () => {
    // 2000 km either way from a first point chosen so the pole is in the middle.
    const projection = new LambertConformalProjection({ earth: { code: 6, kind: 'sphere', radius: 6_371_229 }, latin1: 60, latin2: 60, originLatitude: 60, centralMeridian: 0 });
    const pole = projection.forward(90, 0);
    const first = projection.inverse(pole.x - 1_000_000, pole.y - 1_000_000);
    const grid = await gridOf(simpleMessage({ grid: lambertGridSection({ nx: 21, ny: 21, first: [first.lat, first.lon], lad: 60, lov: 0, latin1: 60, latin2: 60, dx: 100_000, dy: 100_000 }), packed: new Array(441).fill(0), bitsPerValue: 1 }));
    expect(grid.boundingBox).toMatchObject({ west: 0, east: 360, north: 90 });
    expect(grid.boundingBox.south).toBeCloseTo(gridPointLocator(grid)(0, 0).lat, 9);
  });
});

describe('gridIndicesOf', () => {
  const grid = (scanningMode: number) => ({ ni: 4, nj: 3, scanningMode: { flags: scanningMode, iNegative: false, jPositive: false, jConsecutive: (scanningMode & 0x20) !== 0, alternatingRows: (scanningMode & 0x10) !== 0 } }) as unknown as Grid;

  it('walks rows for the usual scanning, columns when j is consecutive, and turns every other line when alternating', () => {
    expect([0, 3, 4, 11].map((k) => gridIndicesOf(grid(0), k))).toEqual([{ i: 0, j: 0 }, { i: 3, j: 0 }, { i: 0, j: 1 }, { i: 3, j: 2 }]);
    expect([0, 2, 3, 11].map((k) => gridIndicesOf(grid(0x20), k))).toEqual([{ i: 0, j: 0 }, { i: 0, j: 2 }, { i: 1, j: 0 }, { i: 3, j: 2 }]);
    expect([3, 4, 7, 8].map((k) => gridIndicesOf(grid(0x10), k))).toEqual([{ i: 3, j: 0 }, { i: 3, j: 1 }, { i: 0, j: 1 }, { i: 0, j: 2 }]);
  });
});

describe('LambertConformalProjection', () => {
  const sphere = { code: 6, kind: 'sphere', radius: 6_371_229 } as const;
  const wgs84 = { code: 5, kind: 'spheroid', semiMajorAxis: 6_378_137, semiMinorAxis: 6_356_752.314245 } as const;

  it.each([
    ['tangent cone on a sphere (HRRR)', { earth: sphere, latin1: 38.5, latin2: 38.5, originLatitude: 38.5, centralMeridian: 262.5 }],
    ['secant cone on WGS84', { earth: wgs84, latin1: 33, latin2: 45, originLatitude: 39, centralMeridian: 265 }],
    ['southern hemisphere secant cone', { earth: wgs84, latin1: -30, latin2: -60, originLatitude: -45, centralMeridian: 135 }],
  ] as const)('%s: inverse undoes forward', (_label, definition) => {
    const projection = new LambertConformalProjection(definition);
    const sign = definition.latin1 > 0 ? 1 : -1;
    for (const [lat, lon] of [
      [sign * 20, definition.centralMeridian - 40],
      [sign * 45, definition.centralMeridian],
      [sign * 70, definition.centralMeridian + 100],
    ] as const) {
      const { x, y } = projection.forward(lat, lon);
      const back = projection.inverse(x, y);
      expect(back.lat).toBeCloseTo(lat, 10);
      expect(back.lon).toBeCloseTo(lon, 10);
    }
  });

  it('keeps true scale along both standard parallels of the ellipsoid, and shrinks between them', () => {
    const projection = new LambertConformalProjection({ earth: wgs84, latin1: 33, latin2: 45, originLatitude: 39, centralMeridian: 265 });
    const e2 = 1 - (wgs84.semiMinorAxis / wgs84.semiMajorAxis) ** 2;
    // Plane distance of a tiny step east, over its length on the ellipsoid's parallel.
    const scaleAt = (lat: number) => {
      const step = 0.001;
      const a = projection.forward(lat, 265);
      const b = projection.forward(lat, 265 + step);
      const phi = (lat * Math.PI) / 180;
      const parallelRadius = (wgs84.semiMajorAxis * Math.cos(phi)) / Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
      return Math.hypot(b.x - a.x, b.y - a.y) / (parallelRadius * ((step * Math.PI) / 180));
    };
    expect(scaleAt(33)).toBeCloseTo(1, 7);
    expect(scaleAt(45)).toBeCloseTo(1, 7);
    expect(scaleAt(39)).toBeLessThan(0.999);
  });
});
