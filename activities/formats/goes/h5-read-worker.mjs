// Runs in a worker thread: h5wasm (a WebAssembly build of the HDF5 C library) ships only as an ES
// module, which sluice's CommonJS code and jest cannot import directly. Reads the variables and
// attributes of a GOES ABI L2 CMIP file that readGoesCmi needs and posts them back.
import { parentPort, workerData } from 'node:worker_threads';
import h5wasm from 'h5wasm/node';

const attr = (node, name) => {
  const attribute = node.attrs[name];
  if (attribute === undefined) return undefined;
  const value = attribute.value;
  return ArrayBuffer.isView(value) || Array.isArray(value) ? value[0] : value;
};

await h5wasm.ready;
let file;
try {
  file = new h5wasm.File(workerData.path, 'r');
  // h5wasm does not throw when HDF5 cannot open a file; it hands back a negative id.
  if (Number(file.file_id) < 0) {
    file = undefined;
    throw new Error('HDF5 cannot open it: the file is damaged or truncated');
  }
  const cmi = file.get('CMI');
  if (!cmi || cmi.type !== 'Dataset') throw new Error('has no CMI dataset: it is not an ABI L2 CMIP product');
  if (!Array.isArray(cmi.shape) || cmi.shape.length !== 2) throw new Error(`CMI has shape ${JSON.stringify(cmi.shape)}, not rows × columns`);
  const points = cmi.shape[0] * cmi.shape[1];
  if (points > workerData.maxPoints) throw new Error(`CMI has ${points} points, more than the ${workerData.maxPoints} allowed`);
  const raw = cmi.value;
  const extent = file.get('geospatial_lat_lon_extent');
  const band = file.get('band_id');
  const result = {
    shape: cmi.shape,
    dtype: cmi.dtype,
    raw,
    scaleFactor: attr(cmi, 'scale_factor'),
    addOffset: attr(cmi, 'add_offset'),
    fillValue: attr(cmi, '_FillValue'),
    unsigned: attr(cmi, '_Unsigned'),
    units: attr(cmi, 'units'),
    bandId: band ? (ArrayBuffer.isView(band.value) ? band.value[0] : band.value) : undefined,
    timeCoverageStart: attr(file, 'time_coverage_start'),
    timeCoverageEnd: attr(file, 'time_coverage_end'),
    platform: attr(file, 'platform_ID'),
    extent: extent
      ? {
          west: attr(extent, 'geospatial_westbound_longitude'),
          east: attr(extent, 'geospatial_eastbound_longitude'),
          south: attr(extent, 'geospatial_southbound_latitude'),
          north: attr(extent, 'geospatial_northbound_latitude'),
        }
      : undefined,
  };
  parentPort.postMessage({ ok: true, result }, ArrayBuffer.isView(raw) ? [raw.buffer] : []);
} catch (err) {
  parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
} finally {
  file?.close();
}
