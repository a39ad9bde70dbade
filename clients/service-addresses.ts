import type { EventsConfig } from '../infra/config/events-schema';
import type { Settings } from '../infra/config/load-config';
import { embeddedPostgresUrl } from '../infra/stack/embedded-postgres';

/**
 * Where commands other than `sluice up` find the services: the configured addresses, or, in the
 * embedded setup, the dev server and Postgres that `sluice up` runs on this machine.
 */
export function temporalAddressOf(settings: Settings): string {
  return settings.temporal.address === 'embedded' ? `127.0.0.1:${settings.temporal.devServer.port}` : settings.temporal.address;
}

export function databaseUrlOf(settings: Settings): string {
  return settings.postgres.url ?? embeddedPostgresUrl(settings.paths.postgresData, settings.postgres.embedded.port, settings.postgres.embedded.database);
}

/** The site's event API as this machine reaches it: an API listening on every address is reached on loopback. */
export function eventsApiUrlOf({ api: { host, port } }: EventsConfig): string {
  if (host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
