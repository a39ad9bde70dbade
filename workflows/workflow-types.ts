import * as workflows from './index';

/** Names of the registered workflows, for validating schedules and CLI input. */
export const WORKFLOW_TYPES: readonly string[] = Object.keys(workflows);
