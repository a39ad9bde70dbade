/**
 * What should be in NOAA's buckets by now. Models (GFS, HRRR) publish at keys that can be computed
 * from cycle and forecast hour, so the plan is the exact key list; observations (GOES, MRMS) are
 * timestamped to the second, so the plan is the prefixes to list and a parser for what comes back.
 */
export { expectedModelFiles, type ExpectedModelFile } from './model-files';
export { listingPrefixes, type ListingPrefix } from './listing-prefixes';
export { parseGoesKey, wantedGoesFile, type GoesFile } from './goes-key';
export { parseMrmsKey, wantedMrmsFile, type MrmsFile } from './mrms-key';
export { IngestKeyError, IngestPlanError } from './errors';
