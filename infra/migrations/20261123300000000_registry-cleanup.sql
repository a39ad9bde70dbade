-- Up Migration

-- A version the cleanup has begun to delete: no longer promotable or pinnable, and retried by the
-- next cleanup until its files are gone and its row with them.
ALTER TABLE registry_versions ADD COLUMN state text NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'deleting'));

-- Down Migration

ALTER TABLE registry_versions DROP COLUMN state;
