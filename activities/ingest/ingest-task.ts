/**
 * One source object to ingest, as the plan found it and the file workflow receives it. Plain JSON
 * (dates as ISO strings), since it travels through workflow history.
 */
export interface IngestTask {
  readonly key: string;
  /** The version the plan listed; downloads ask for exactly this one (If-Match). */
  readonly etag: string;
  readonly size: number;
  /** ISO time of the model cycle, or of the hour an observation belongs to. */
  readonly cycle: string;
  /** Models: the forecast hour of the key. Observations: 0. */
  readonly forecastHour: number;
  /** Models: the .idx beside the file, when the listing has one. */
  readonly indexKey?: string;
}
