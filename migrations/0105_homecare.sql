-- Up Migration
-- Home care (docs/homecare.md): a facility of kind `home-care` is a service station whose places are dwellings.
ALTER TABLE facilities ADD COLUMN kind text NOT NULL DEFAULT 'care-home' CHECK (kind IN ('care-home', 'home-care'));

-- One row per dwelling location: where it is and how staff get in.
CREATE TABLE dwellings (
  facility_id vigil_id NOT NULL,
  location_id vigil_id NOT NULL,
  address     text NOT NULL,
  district    text NOT NULL,
  access_note text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, location_id),
  FOREIGN KEY (facility_id, location_id) REFERENCES locations (facility_id, id)
);
CREATE INDEX dwellings_district_idx ON dwellings (facility_id, district);

-- A resident's family contacts; consented_at NULL: never notified.
CREATE TABLE resident_contacts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_id  vigil_id NOT NULL,
  resident_id  vigil_id NOT NULL,
  name         text NOT NULL,
  relation     text NOT NULL,
  phone        text,
  email        text,
  consented_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (facility_id, resident_id) REFERENCES residents (facility_id, id)
);
CREATE INDEX resident_contacts_resident_idx ON resident_contacts (facility_id, resident_id);

-- Who is on duty where: a work order is offered to the staff whose shift covers its time and district.
CREATE TABLE staff_shifts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_id vigil_id NOT NULL REFERENCES facilities (id),
  user_id     vigil_id NOT NULL REFERENCES users (id),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
  district    text,                          -- NULL: the whole station
  lead        boolean NOT NULL DEFAULT false -- the station lead escalations go to
);
CREATE INDEX staff_shifts_time_idx ON staff_shifts (facility_id, ends_at);

-- Down Migration
DROP TABLE staff_shifts, resident_contacts, dwellings;
ALTER TABLE facilities DROP COLUMN kind;
