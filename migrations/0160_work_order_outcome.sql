-- Up Migration
-- The outcome of a home visit, given when the order is finished (docs/homecare.md "Work orders"). Orders finished
-- before this migration have none: the check holds for every order finished from now on (NOT VALID skips the old).
ALTER TABLE work_orders
  ADD COLUMN outcome text CHECK (outcome IN ('resident_ok', 'needed_help', 'hospital_transfer', 'false_alarm')),
  ADD CONSTRAINT work_orders_done_outcome CHECK (status <> 'done' OR outcome IS NOT NULL) NOT VALID;

-- Down Migration
ALTER TABLE work_orders DROP CONSTRAINT work_orders_done_outcome, DROP COLUMN outcome;
