import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { UserError, messageOf } from '../errors/user-error';
import type { Settings } from '../config/load-config';

/** How to reach Temporal: the address resolved at start-up plus the TLS/API-key settings. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: Settings['temporal']['tls'];
}

export function temporalTarget(settings: Settings, address: string): TemporalTarget {
  return { address, namespace: settings.temporal.namespace, apiKey: settings.temporal.apiKey, tls: settings.temporal.tls };
}

function tlsOptions(target: TemporalTarget): ConnectionOptions['tls'] {
  if (!target.tls) return target.apiKey ? true : undefined;
  const read = (file: string | undefined) => (file ? fs.readFileSync(file) : undefined);
  const cert = read(target.tls.clientCertPath);
  const key = read(target.tls.clientKeyPath);
  return {
    serverNameOverride: target.tls.serverName,
    serverRootCACertificate: read(target.tls.caCertPath),
    clientCertPair: cert && key ? { crt: cert, key } : undefined,
  };
}

function unreachable(target: TemporalTarget, err: unknown): UserError {
  return new UserError(
    `Temporal at ${target.address} (namespace ${target.namespace}) is not reachable: ${messageOf(err)}`,
    'Start it (npm start, or sluice up), or set temporal.address / TEMPORAL_ADDRESS to a running cluster.',
    { cause: err },
  );
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  try {
    const connection = await openConnection({ address: target.address, tls: tlsOptions(target), apiKey: target.apiKey, connectTimeout: '5s' });
    return new Client({ connection, namespace: target.namespace });
  } catch (err) {
    throw unreachable(target, err);
  }
}

/**
 * Connection.connect, except that a connection that cannot connect is closed: Connection.connect
 * leaves it open, and its channel redials the address with backoff for ever.
 */
export async function openConnection(options: ConnectionOptions): Promise<Connection> {
  const connection = Connection.lazy(options);
  try {
    await connection.ensureConnected();
  } catch (err) {
    await connection.close();
    throw err;
  }
  return connection;
}

export async function connectWorkerConnection(target: TemporalTarget): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address: target.address, tls: tlsOptions(target), apiKey: target.apiKey };
  try {
    return await NativeConnection.connect(options);
  } catch (err) {
    throw unreachable(target, err);
  }
}
