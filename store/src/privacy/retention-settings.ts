import type { Queryable } from '@vigil/core';
import { z } from 'zod';

/** The data classes retention is set for; alerts are kept (docs/DATABASE.md "Retention and erasure"). */
export const DATA_CLASSES = ['vitals', 'environment', 'events', 'audit'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];
export const dataClassSchema = z.enum(DATA_CLASSES);

export interface RetentionSetting {
  dataClass: DataClass;
  days: number;
  updatedBy: string;
  updatedAt: Date;
}

export async function listRetentionSettings(db: Queryable): Promise<RetentionSetting[]> {
  const { rows } = await db.query<RetentionSetting>(
    `SELECT data_class AS "dataClass", days, updated_by AS "updatedBy", updated_at AS "updatedAt"
     FROM retention_settings ORDER BY data_class`,
  );
  return rows;
}

export async function setRetention(
  db: Queryable,
  dataClass: DataClass,
  days: number,
  updatedBy: string,
): Promise<RetentionSetting> {
  const { rows } = await db.query<RetentionSetting>(
    `INSERT INTO retention_settings (data_class, days, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (data_class) DO UPDATE SET days = EXCLUDED.days, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING data_class AS "dataClass", days, updated_by AS "updatedBy", updated_at AS "updatedAt"`,
    [dataClass, days, updatedBy],
  );
  return rows[0]!;
}

/** Days kept per class: the stored setting, else `defaultDays`. */
export async function retentionDaysByClass(db: Queryable, defaultDays: number): Promise<Record<DataClass, number>> {
  const stored = new Map((await listRetentionSettings(db)).map((s) => [s.dataClass, s.days]));
  return Object.fromEntries(DATA_CLASSES.map((c) => [c, stored.get(c) ?? defaultDays])) as Record<DataClass, number>;
}

/** Days kept of a class without a setting, when the deployment sets no VIGIL_RETENTION_DAYS (ingest's default). */
export const DEFAULT_RETENTION_DAYS = 180;
