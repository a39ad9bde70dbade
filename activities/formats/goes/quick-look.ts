import sharp from 'sharp';
import type { GoesImage } from './read-goes-cmi';

/** Wide enough to recognise weather, small enough to list hundreds in a browser. */
const QUICK_LOOK_WIDTH = 1000;

/**
 * An 8-bit grayscale PNG of the band, stretched between its own minimum and maximum and scaled to
 * at most 1000 px wide. Infrared bands (brightness temperature, K) are inverted so that cold cloud
 * tops are white, as forecasters expect; missing points are black.
 */
export async function quickLookPng(image: GoesImage, stats: { min: number; max: number }): Promise<Buffer> {
  const gray = Buffer.alloc(image.values.length);
  const span = stats.max - stats.min || 1;
  const infrared = image.band >= 7;
  for (let i = 0; i < gray.length; i++) {
    const value = image.values[i]!;
    if (Number.isNaN(value)) continue;
    const level = Math.round(((value - stats.min) / span) * 255);
    gray[i] = infrared ? 255 - level : level;
  }
  const picture = sharp(gray, { raw: { width: image.columns, height: image.rows, channels: 1 } });
  if (image.columns > QUICK_LOOK_WIDTH) picture.resize({ width: QUICK_LOOK_WIDTH });
  return picture.png().toBuffer();
}
