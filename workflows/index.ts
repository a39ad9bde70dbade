/** Every workflow sluice registers; the control worker's bundle starts here. */
export { stackCheck } from './stack-check';
export { ingestCycle } from './ingest-cycle';
export { ingestFile } from './ingest-file';
export { purgeWeather } from './purge-weather';
export { publishModel } from './publish-model';
export { promoteModel, rollbackModel } from './promote-model';
export { registryCleanup } from './registry-cleanup';
export { deployFacelist } from './deploy-facelist';
export { planDeployment } from './plan-deployment';
export { deployModels } from './deploy-models';
export { eventsUpkeep, eventRollups } from './events-upkeep';
export { archiveEvents } from './archive-events';
export { archivePartition } from './archive-partition';
