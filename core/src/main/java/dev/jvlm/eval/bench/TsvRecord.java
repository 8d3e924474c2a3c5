package dev.jvlm.eval.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One record of a tab-separated file as pandas writes it ({@code to_csv(sep='\t')}, minimal quoting)
 * and reads it back: a cell that starts with {@code "} runs to the next lone {@code "}, may hold tabs
 * and line breaks, and writes a quote as {@code ""}; anywhere else a quote is an ordinary character.
 * Blank lines are skipped, as pandas skips them. A quoted cell that never closes would swallow the
 * rest of the file, so it is an error rather than one long cell.
 *
 * @param line the 1-based line on which the record starts
 */
record TsvRecord(int line, List<String> cells) {

    /** @throws IllegalArgumentException when a quoted cell is never closed, naming its line */
    static List<TsvRecord> parse(String text) {
        List<TsvRecord> records = new ArrayList<>();
        int line = 1;
        int i = 0;
        int n = text.length();
        if (n > 0 && text.charAt(0) == '\uFEFF') {
            i = 1;
        }
        while (i < n) {
            int start = line;
            if (text.charAt(i) == '\n' || text.charAt(i) == '\r') {
                i = skipLineBreak(text, i);
                line++;
                continue;
            }
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            boolean cellStart = true;
            while (i < n) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < n && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i += 2;
                        continue;
                    }
                    if (c == '"') {
                        quoted = false;
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        cell.append(c);
                    }
                    i++;
                    continue;
                }
                if (c == '\t') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                    cellStart = true;
                    i++;
                    continue;
                }
                if (c == '\n' || c == '\r') {
                    break;
                }
                if (c == '"' && cellStart) {
                    quoted = true;
                } else {
                    cell.append(c);
                }
                cellStart = false;
                i++;
            }
            if (quoted) {
                throw new IllegalArgumentException("a quoted cell of the row that starts on line " + start + " is never closed");
            }
            cells.add(cell.toString());
            records.add(new TsvRecord(start, List.copyOf(cells)));
            if (i < n) {
                i = skipLineBreak(text, i);
                line++;
            }
        }
        return records;
    }

    private static int skipLineBreak(String text, int i) {
        return text.charAt(i) == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? i + 2 : i + 1;
    }
}
