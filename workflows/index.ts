/** Every workflow sluice registers; the control worker's bundle starts here. */
export { stackCheck } from './stack-check';
