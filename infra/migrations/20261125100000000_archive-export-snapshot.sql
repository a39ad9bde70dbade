-- Up Migration

-- The snapshot each part was exported from (activities/archive/unchanged-since-export.ts),
-- recorded with its figures: the drop proves from row headers that the partition did not change
-- since, also when the run that drops it is not the one that exported it (a worker died in
-- between). NULL for empty partitions and for parts exported before these columns existed: their
-- drop recomputes the figures instead.
ALTER TABLE event_archives
  ADD COLUMN export_relation bigint,
  ADD COLUMN export_xmin     numeric(20, 0);

-- Down Migration

ALTER TABLE event_archives DROP COLUMN export_relation, DROP COLUMN export_xmin;
