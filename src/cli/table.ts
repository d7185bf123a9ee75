/** Columns padded to their widest cell, two spaces apart; the last one is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const width = (text: string) => Array.from(text).length;
  const widths = header.map((title, column) =>
    Math.max(width(title), ...rows.map((row) => width(row[column]))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column] - width(cell)),
      )
      .join('  ');
  return [header, ...rows].map(line).join('\n');
}
