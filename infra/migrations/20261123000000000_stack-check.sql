-- Up Migration

-- Rows written, read back and deleted by the stackCheck workflow (sluice doctor). It holds
-- nothing between checks; a row left behind names the check that did not finish.
CREATE TABLE sluice_stack_check (
  token      text PRIMARY KEY,
  payload    text        NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE sluice_stack_check;
