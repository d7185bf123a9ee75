"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.formatTable = formatTable;
function formatTable(header, rows) {
    const width = (text) => Array.from(text).length;
    const widths = header.map((title, column) => Math.max(width(title), ...rows.map((row) => width(row[column]))));
    const line = (cells) => cells
        .map((cell, column) => column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column] - width(cell)))
        .join('  ');
    return [header, ...rows].map(line).join('\n');
}
//# sourceMappingURL=table.js.map