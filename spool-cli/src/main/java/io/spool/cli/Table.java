package io.spool.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Left-aligned columns under a header, as {@code kafka-consumer-groups.sh} prints them: each column as wide as its
 * widest cell, columns two spaces apart, no trailing blanks. A missing or empty cell prints as {@code -}, so every
 * row has a token in every column. Built by one thread, then rendered.
 *
 * <pre>
 * GROUP   TOPIC   PARTITION  LAG
 * orders  orders  0          12
 * </pre>
 */
final class Table {
    static final String NONE = "-";
    private static final String GAP = "  ";

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    /** Adds a row; {@code null} or empty cells print as {@value #NONE}. */
    Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("Expected " + header.size() + " cells, got " + cells.length);
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object cell : cells) {
            String text = cell == null ? "" : cell.toString();
            row.add(text.isEmpty() ? NONE : text);
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The header line, then one line per row in the order added. */
    List<String> lines() {
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        List<String> lines = new ArrayList<>(rows.size() + 1);
        lines.add(line(header, widths));
        rows.forEach(row -> lines.add(line(row, widths)));
        return lines;
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                line.append(GAP);
            }
            line.append(cells.get(c));
            if (c < cells.size() - 1) {
                line.append(" ".repeat(widths[c] - cells.get(c).length()));
            }
        }
        return line.toString();
    }
}
