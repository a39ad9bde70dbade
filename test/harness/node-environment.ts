import NodeEnvironment from 'jest-environment-node';

/**
 * Jest's node environment, with one change to how a worker process ends.
 *
 * A jest worker ends when its event loop drains, and Node then tears its heap down page by page.
 * After dozens of test files a worker holds 800-900 MB, and that teardown took 270-340 ms here
 * (measured from the worker's 'exit' event until it was gone; perf shows V8 freeing its pages).
 * With the drain before it, that overran the 500 ms jest allows, and jest killed the workers
 * ("A worker process has failed to exit gracefully"), although nothing was left open: their only
 * handles were jest's own pipes. process.exit() leaves the heap to the operating system.
 *
 * This module runs outside the tests' sandbox, so `process` here is the worker's own.
 */
process.once('beforeExit', () => process.exit());

export default NodeEnvironment;
