-- Up Migration

-- The manifest of Parquet archival: one row per part written for a day's partition of events, jobs
-- or subjobs. A day normally has one part (0); a late event for a day already archived and
-- dropped re-creates its partition, which is archived later as the next part.
--
-- A part goes planned -> uploaded -> verified -> dropped. The source figures (rows, time range,
-- checksum) are those of the partition when it was exported; verification compares the object
-- read back from storage with them, and the drop compares the partition, under its lock, with them
-- once more, so nothing that changed after the export is lost. A part whose drop found the source
-- changed goes back to planned and is exported again under the same part number and key.
CREATE TABLE event_archives (
  table_name  text        NOT NULL CHECK (table_name IN ('events', 'jobs', 'subjobs')),
  day         date        NOT NULL,
  part        integer     NOT NULL CHECK (part >= 0 AND part <= 9999),
  -- NULL for an empty partition: it is recorded and dropped, with no object.
  object_key  text,
  state       text        NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'uploaded', 'verified', 'dropped')),
  rows        bigint,
  -- Of the table's time column (events.at, jobs/subjobs.last_at), to the microsecond.
  min_time    timestamptz,
  max_time    timestamptz,
  -- Sum over the rows of the first 64 bits of the MD5 of each row's canonical text (archive-checksum.ts).
  checksum    numeric(40, 0),
  bytes       bigint,
  -- Hex SHA-256 of the object as uploaded.
  sha256      text,
  -- The archivePartition run that last worked on it.
  workflow_id text,
  -- Why the last verification or drop did not go through; cleared when a step succeeds.
  problem     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  uploaded_at timestamptz,
  verified_at timestamptz,
  dropped_at  timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (table_name, day, part)
);

-- At most one part of a day is in flight: a retried or resumed run takes it up again instead of
-- numbering a new one.
CREATE UNIQUE INDEX event_archives_open_part ON event_archives (table_name, day) WHERE state <> 'dropped';

-- Down Migration

DROP TABLE event_archives;
