-- Up Migration

-- A promotion whose deployment failed its canary is reverted, and the revert is logged as such.
ALTER TABLE registry_promotions DROP CONSTRAINT registry_promotions_action_check;
ALTER TABLE registry_promotions ADD CONSTRAINT registry_promotions_action_check CHECK (action IN ('promote', 'rollback', 'import', 'revert'));

-- Down Migration

ALTER TABLE registry_promotions DROP CONSTRAINT registry_promotions_action_check;
ALTER TABLE registry_promotions ADD CONSTRAINT registry_promotions_action_check CHECK (action IN ('promote', 'rollback', 'import'));
