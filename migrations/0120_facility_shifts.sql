-- Up Migration
-- The shifts a facility works in (docs/api.md "Response analytics"), e.g. 早班 07:00–15:00, 中班 15:00–23:00,
-- 夜班 23:00–07:00, as times of day in the facility's time zone; the response analytics group alerts by them. The
-- shifts of a facility tile the day (each ends where the next begins), so every alert falls in exactly one; a
-- facility without rows works in the default shifts of store/src/analytics/shifts.ts.
CREATE TABLE facility_shifts (
  facility_id vigil_id NOT NULL REFERENCES facilities (id),
  id          vigil_id NOT NULL,
  name        text NOT NULL,
  starts      time NOT NULL,
  ends        time NOT NULL,
  position    smallint NOT NULL,
  PRIMARY KEY (facility_id, id)
);

-- The analytics read a facility's alerts of a period, whatever their status.
CREATE INDEX alerts_facility_raised_idx ON alerts (facility_id, raised_at);

-- Down Migration
DROP INDEX alerts_facility_raised_idx;
DROP TABLE facility_shifts;
