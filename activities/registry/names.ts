import { RegistryError } from './errors';

/** SentinelCam's model names: lower case, digits and underscores (mobilenet_ssd_edgetpu). */
const MODEL_NAME = /^[a-z0-9][a-z0-9_]{0,63}$/;
const VERSION = /^(\d{4})-(\d{2})-(\d{2})$/;

export function checkModelName(model: string): string {
  if (!MODEL_NAME.test(model)) {
    throw new RegistryError(`Invalid model name ${JSON.stringify(model)}.`, 'Use lower-case letters, digits and underscores, starting with a letter or digit (e.g. face_recognition).');
  }
  return model;
}

/** Versions are dates, YYYY-MM-DD, and must be real ones: 2025-02-30 is refused, not read as March. */
export function checkVersion(version: string): string {
  const match = VERSION.exec(version);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !date || date.getUTCFullYear() !== Number(match[1]) || date.getUTCMonth() !== Number(match[2]) - 1 || date.getUTCDate() !== Number(match[3])) {
    throw new RegistryError(`Invalid version ${JSON.stringify(version)}: versions are real dates, YYYY-MM-DD.`, 'e.g. 2026-02-02; SentinelCam names each model version by the day it was trained.');
  }
  return version;
}

/** Today's date in UTC as a version. */
export function todayVersion(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}
