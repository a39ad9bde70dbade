-- Up Migration

-- What each edge node last reported and how its last deployment ended, for `sluice fleet`.
CREATE TABLE fleet_nodes (
  host             text        PRIMARY KEY,
  -- [{model, version}] the node held when it last answered a plan or deployment.
  installed        jsonb       NOT NULL DEFAULT '[]'::jsonb,
  reported_at      timestamptz,
  last_deployment  text,
  last_status      text        CHECK (last_status IN ('deployed', 'unchanged', 'pending', 'failed', 'skipped')),
  last_detail      text,
  last_deployed_at timestamptz
);

-- Promotions now start their deployment and wait for it; nothing reads this any more.
DROP TABLE registry_deployments_due;

-- Down Migration

CREATE TABLE registry_deployments_due (
  promotion_id bigint      PRIMARY KEY REFERENCES registry_promotions (id),
  model        text        NOT NULL,
  version      text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
DROP TABLE fleet_nodes;
