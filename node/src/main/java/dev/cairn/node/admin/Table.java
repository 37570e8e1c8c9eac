package dev.cairn.node.admin;

import java.util.List;

/** Rows as columns padded to their widest cell, for a terminal. */
final class Table {

  private static final int MAX_CELL = 60;

  private Table() {}

  static String of(List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        row[i] = row[i].length() > MAX_CELL ? row[i].substring(0, MAX_CELL - 1) + "…" : row[i];
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        out.append(i == columns - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
      }
      out.append('\n');
    }
    return out.toString();
  }
}
