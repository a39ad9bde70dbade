-- Up Migration

-- One row per source object sluice has dealt with. The plan skips an object whose ETag and size
-- match its row, so a file NOAA replaces (new ETag) is ingested again; a quarantined one is not
-- retried until it changes.
CREATE TABLE ingest_state (
  source       text        NOT NULL,
  source_key   text        NOT NULL,
  etag         text        NOT NULL,
  size         bigint      NOT NULL CHECK (size >= 0),
  status       text        NOT NULL CHECK (status IN ('ingested', 'quarantined')),
  -- The cycle (models) or hour of the scan (observations) the file belongs to.
  cycle        timestamptz NOT NULL,
  -- Quarantine: why the file was refused. Ingested: how many fields were stored.
  detail       text        NOT NULL DEFAULT '',
  fields       integer     NOT NULL DEFAULT 0,
  bytes_fetched bigint     NOT NULL DEFAULT 0,
  workflow_id  text        NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, source_key)
);
CREATE INDEX ingest_state_cycle ON ingest_state (source, cycle);
CREATE INDEX ingest_state_quarantined ON ingest_state (source) WHERE status = 'quarantined';

-- The catalog: one row per stored field (a GRIB2 message, or a GOES band image).
CREATE TABLE weather_fields (
  storage_key    text PRIMARY KEY,
  source         text             NOT NULL,
  -- gfs, hrrr, goes16, mrms: the {model} of the storage key.
  model          text             NOT NULL,
  parameter      text             NOT NULL,
  level          text             NOT NULL,
  reference_time timestamptz      NOT NULL,
  forecast_hour  integer          NOT NULL,
  -- The cycle the field counts towards (models: the reference time; observations: the hour).
  cycle          timestamptz      NOT NULL,
  lat_min        double precision NOT NULL,
  lat_max        double precision NOT NULL,
  lon_min        double precision NOT NULL,
  lon_max        double precision NOT NULL,
  size           bigint           NOT NULL,
  sha256         text             NOT NULL,
  -- NULL when every point is missing.
  value_min      double precision,
  value_max      double precision,
  value_mean     double precision,
  points         integer          NOT NULL,
  missing        integer          NOT NULL,
  -- Anything kind-specific (GOES scan end, quick-look key), as JSON.
  extra          jsonb            NOT NULL DEFAULT '{}',
  source_key     text             NOT NULL,
  ingested_at    timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX weather_fields_cycle ON weather_fields (source, cycle);
CREATE INDEX weather_fields_source_key ON weather_fields (source, source_key);

-- Per source and cycle: how many fields were expected and whether all are in the catalog.
CREATE TABLE weather_cycles (
  source       text        NOT NULL,
  cycle        timestamptz NOT NULL,
  expected     integer     NOT NULL,
  present      integer     NOT NULL,
  complete     boolean     NOT NULL,
  completed_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, cycle)
);

-- Down Migration

DROP TABLE weather_cycles;
DROP TABLE weather_fields;
DROP TABLE ingest_state;
