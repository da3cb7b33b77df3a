/**
 * A small RFC 4180 CSV reader for the bulk import: comma-separated fields, optional double quotes,
 * `""` inside quotes for a quote, CRLF or LF line ends, and quoted fields that span lines. It works
 * on the lines node:readline hands it, so a file is never held whole. Hand-written rather than a
 * dependency: the import's columns are four plain fields, and the parser is ~60 lines that tests
 * cover. Nothing here knows what the columns mean (lib/import/records.ts does).
 */

export interface CsvRecord {
  /** Physical line number (1-based) where the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {}

/**
 * Feeds lines (without their line end) and returns complete records. A record whose quoted field
 * is still open at the end of a line waits for the next line; `end()` reports one left open.
 */
export class CsvLineReader {
  private pending: string | null = null;
  private pendingLine = 0;
  private lineNumber = 0;

  /** Returns the record completed by this line, null while a quoted field is open, or throws CsvSyntaxError. */
  push(text: string): CsvRecord | null {
    this.lineNumber++;
    const source = this.pending === null ? text : `${this.pending}\n${text}`;
    const start = this.pending === null ? this.lineNumber : this.pendingLine;
    const parsed = parseFields(source);
    if (parsed === 'open') {
      if (this.pending === null) this.pendingLine = this.lineNumber;
      this.pending = source;
      return null;
    }
    this.pending = null;
    if (parsed instanceof CsvSyntaxError) throw Object.assign(parsed, { line: start });
    return { line: start, fields: parsed };
  }

  /** At the end of the input: the line number of a record whose quoted field never closed, or null. */
  end(): number | null {
    return this.pending === null ? null : this.pendingLine;
  }
}

/** The fields of one logical record, 'open' when a quoted field runs past the end, or a syntax error. */
export function parseFields(text: string): string[] | 'open' | CsvSyntaxError {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) return 'open';
        value += text.slice(i, close);
        if (text[close + 1] === '"') {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      if (i < text.length && text[i] !== ',') {
        return new CsvSyntaxError('a quoted field must be followed by a comma or the end of the line');
      }
      fields.push(value);
    } else {
      const comma = text.indexOf(',', i);
      const value = comma === -1 ? text.slice(i) : text.slice(i, comma);
      if (value.includes('"')) return new CsvSyntaxError('a quote inside an unquoted field');
      fields.push(value);
      i = comma === -1 ? text.length : comma;
    }
    if (i >= text.length) return fields;
    i++; // the comma
    if (i === text.length) {
      fields.push('');
      return fields;
    }
  }
}
