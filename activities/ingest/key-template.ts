import { IngestPlanError } from './errors';

/**
 * Key layouts are data ("gfs.{YYYYMMDD}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{FFF}") so that a source
 * can later come from config and a person can read the layout; this fills one in. A token with no
 * value is refused rather than left in the key, which would list or fetch nothing.
 */
export function expandKeyTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_whole, token: string) => {
    const value = values[token];
    if (value === undefined) {
      throw new IngestPlanError(`key template ${JSON.stringify(template)} uses {${token}}, which has no value here`, `Known tokens: ${Object.keys(values).sort().join(', ')}.`);
    }
    return value;
  });
}

/** Forecast-hour tokens: GFS writes three digits (f006, f384), HRRR two (wrfsfcf06). */
export function forecastTokens(forecastHour: number): Record<string, string> {
  return { FFF: String(forecastHour).padStart(3, '0'), FF: String(forecastHour).padStart(2, '0') };
}
