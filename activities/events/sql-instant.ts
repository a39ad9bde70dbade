/**
 * SQL that renders a timestamptz column as the API writes instants: UTC, microseconds, "Z"
 * (2026-03-01T10:05:00.123456Z). Done in Postgres because a JS Date would drop the microseconds.
 */
export const isoMicros = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
