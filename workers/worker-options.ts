import os from 'node:os';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { durationMs } from '../infra/config/duration';
import type { WorkerSettings } from '../infra/config/schema';
import { describeRole, taskQueueOf, type RoleSpec } from './role';
import { userErrorsAreFinal } from './user-errors-are-final';

export interface WorkerContext {
  connection: NativeConnection;
  namespace: string;
  settings: WorkerSettings;
}

/** Options every role shares: its queue, its concurrency limits, a graceful stop, and error handling. */
export function baseWorkerOptions(spec: RoleSpec, context: WorkerContext): WorkerOptions {
  return {
    connection: context.connection,
    namespace: context.namespace,
    taskQueue: taskQueueOf(spec),
    identity: `sluice ${describeRole(spec)} ${process.pid}@${os.hostname()}`,
    maxConcurrentActivityTaskExecutions: context.settings.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: context.settings.maxConcurrentWorkflowTasks,
    // The SDK's default is 0: activities would be cancelled the moment a stop is asked for.
    shutdownGraceTime: durationMs(context.settings.shutdownGraceTime),
    // An activity that ignores cancellation must not hold a stop forever.
    shutdownForceTime: durationMs(context.settings.shutdownGraceTime) + 10_000,
    // Heartbeat details are the progress `sluice archive run` and `sluice deploy run` show. The SDK
    // sends them to the server at most every 80 % of the heartbeat timeout (16 s for archival), so a
    // 6M-row export showed one row count in 45 s; every 5 s costs a few small calls a minute.
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    interceptors: { activity: [userErrorsAreFinal] },
  };
}

const HEARTBEAT_THROTTLE = '5s';
