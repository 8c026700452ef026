/** A cell of a CSV answer. */
export type CsvCell = string | number | boolean | null;

const csvCell = (value: CsvCell) => {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180 text of a table, its header row first, lines ended by CRLF. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Whether the `Accept` header asks for CSV rather than JSON. */
export const wantsCsv = (accept: string | undefined): boolean => accept?.includes('text/csv') ?? false;
