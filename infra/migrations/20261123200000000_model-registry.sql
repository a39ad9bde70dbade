-- Up Migration

-- One row per model (or the facelist). current/previous change together, in one UPDATE guarded by
-- revision, so two promotions of one model cannot both win.
CREATE TABLE registry_models (
  model            text PRIMARY KEY CHECK (model ~ '^[a-z0-9][a-z0-9_]{0,63}$'),
  current_version  text,
  previous_version text,
  -- SentinelCam's per-model variants (name → file), kept as given.
  variants         jsonb       NOT NULL DEFAULT '{}',
  revision         integer     NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Every published version and its manifest (each file's path, size and sha256).
CREATE TABLE registry_versions (
  model        text        NOT NULL REFERENCES registry_models (model),
  version      text        NOT NULL CHECK (version ~ '^\d{4}-\d{2}-\d{2}$'),
  files        integer     NOT NULL,
  bytes        bigint      NOT NULL,
  manifest     jsonb       NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text        NOT NULL,
  workflow_id  text        NOT NULL,
  PRIMARY KEY (model, version)
);

ALTER TABLE registry_models
  ADD FOREIGN KEY (model, current_version) REFERENCES registry_versions (model, version) DEFERRABLE INITIALLY DEFERRED,
  ADD FOREIGN KEY (model, previous_version) REFERENCES registry_versions (model, version) DEFERRABLE INITIALLY DEFERRED;

-- A host pinned to a version other than current (SentinelCam's model_version_overrides).
CREATE TABLE registry_overrides (
  host       text        NOT NULL,
  model      text        NOT NULL,
  version    text        NOT NULL,
  set_by     text        NOT NULL,
  set_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host, model),
  FOREIGN KEY (model, version) REFERENCES registry_versions (model, version)
);

-- Which models a role's nodes receive; outposts get mobilenet_ssd unless told otherwise.
CREATE TABLE registry_role_models (
  role   text PRIMARY KEY,
  models text[] NOT NULL
);
INSERT INTO registry_role_models (role, models) VALUES ('outpost', ARRAY['mobilenet_ssd']);

-- Registry-wide settings kept with the registry: coral_packages (SentinelCam's section, as given).
CREATE TABLE registry_settings (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);

-- The promotion log: every change of current_version, with who, why and which workflow. Append-only.
CREATE TABLE registry_promotions (
  id           bigserial PRIMARY KEY,
  model        text        NOT NULL,
  action       text        NOT NULL CHECK (action IN ('promote', 'rollback', 'import')),
  from_version text,
  to_version   text        NOT NULL,
  actor        text        NOT NULL,
  reason       text        NOT NULL,
  workflow_id  text        NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION registry_promotions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'registry_promotions is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER registry_promotions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON registry_promotions
  FOR EACH STATEMENT EXECUTE FUNCTION registry_promotions_append_only();

-- Deployments a promotion asked for, until fleet deployments take them (the fleet issue).
CREATE TABLE registry_deployments_due (
  promotion_id bigint      PRIMARY KEY REFERENCES registry_promotions (id),
  model        text        NOT NULL,
  version      text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE registry_deployments_due;
DROP TRIGGER registry_promotions_append_only ON registry_promotions;
DROP FUNCTION registry_promotions_append_only();
DROP TABLE registry_promotions;
DROP TABLE registry_settings;
DROP TABLE registry_role_models;
DROP TABLE registry_overrides;
ALTER TABLE registry_models DROP CONSTRAINT IF EXISTS registry_models_model_current_version_fkey;
ALTER TABLE registry_models DROP CONSTRAINT IF EXISTS registry_models_model_previous_version_fkey;
DROP TABLE registry_versions;
DROP TABLE registry_models;
