import { readDataRepresentation, type DataRepresentation } from './data-representation';
import type { GribLocation } from './errors';
import { readGrid, type Grid } from './grid';
import { readIdentification, type Identification } from './identification';
import { Octets } from './octets';
import { readProduct, type Product } from './product';
import type { ReadAhead } from './read-ahead';
import type { FieldSections, MessageSections, SectionSpan } from './sections';

/** Everything known about a field without decoding its values. */
export interface GribFieldMetadata {
  /** The file path, or "<buffer>". */
  readonly file: string;
  /** 0-based position of the GRIB message in the file. */
  readonly messageIndex: number;
  /** 0-based position of the field in its message; almost always 0 (one field per message). */
  readonly fieldIndex: number;
  /** Byte offset and length of the whole GRIB message in the file. */
  readonly offset: number;
  readonly length: number;
  /** Code table 0.0: 0 meteorological, 1 hydrological, 2 land surface, 10 oceanographic… */
  readonly discipline: number;
  readonly identification: Identification;
  readonly product: Product;
  readonly grid: Grid;
  readonly packing: DataRepresentation;
  /** Code table 6.0 (octet 6 of section 6): 0 bitmap present, 254 previous bitmap, 255 none. */
  readonly bitmapIndicator: number;
}

/** Reads sections 1, 3, 4, 5 and the head of 6 of one field: a few hundred bytes. */
export async function readFieldMetadata(reader: ReadAhead, message: MessageSections, field: FieldSections, fieldIndex: number): Promise<GribFieldMetadata> {
  const file = reader.source.name;
  const octetsOf = async (span: SectionSpan, length = span.length) => {
    const where: GribLocation = { file, messageIndex: message.index, section: span.number, offset: span.offset };
    return new Octets(await reader.read(span.offset, length), where);
  };
  const identification = readIdentification(await octetsOf(field.identification));
  const grid = readGrid(await octetsOf(field.grid));
  const product = readProduct(await octetsOf(field.product), message.discipline, identification.centre, identification.referenceTime);
  const packing = readDataRepresentation(await octetsOf(field.dataRepresentation));
  const bitmapHead = await octetsOf(field.bitmap, Math.min(field.bitmap.length, 6));
  bitmapHead.require(6, 'the bitmap indicator');
  return {
    file,
    messageIndex: message.index,
    fieldIndex,
    offset: message.offset,
    length: message.length,
    discipline: message.discipline,
    identification,
    product,
    grid,
    packing,
    bitmapIndicator: bitmapHead.uint(6, 1),
  };
}
