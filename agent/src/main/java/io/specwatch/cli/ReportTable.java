package io.specwatch.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.specwatch.analysis.MatrixReport;
import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.tensorfile.Printable;

/** Aligned columns for people: the catalogue's table columns, one row per tensor. */
final class ReportTable {

    private static final Map<String, String> COLUMNS = MetricCatalogue.tableColumns();

    private final List<String[]> rows = new ArrayList<>();

    void add(MatrixReport r) {
        String[] row = new String[COLUMNS.size()];
        int i = 0;
        for (String key : COLUMNS.values()) {
            Field f = MetricCatalogue.field(key);
            String cell = cell(f, f.value(r));
            if (key.equals("status") && r.nonFiniteValues() > 0) {
                cell += " (" + r.nonFiniteValues() + " non-finite)";
            }
            row[i++] = cell;
        }
        rows.add(row);
    }

    void print(PrintWriter out) {
        String[] header = COLUMNS.keySet().toArray(String[]::new);
        List<Field.Type> types = COLUMNS.values().stream().map(k -> MetricCatalogue.field(k).type()).toList();
        int[] width = new int[header.length];
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (String[] row : all) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                // text left, numbers right
                boolean left = types.get(i) == Field.Type.TEXT || types.get(i) == Field.Type.SHAPE || header[i].equals("seconds");
                String cell = row[i];
                String pad = " ".repeat(width[i] - cell.length());
                line.append(left ? cell + pad : pad + cell);
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    private static String cell(Field f, Object v) {
        if (v == null) {
            return "-";
        }
        return switch (f.type()) {
            case REAL -> f.key().equals("seconds") ? String.format(Locale.ROOT, "%.3f", (Double) v) : num((Double) v);
            case COUNT -> v.toString();
            case TEXT -> Printable.of((String) v); // names come from files: no terminal escapes
            case SHAPE -> shape((long[]) v);
            default -> String.valueOf(v);
        };
    }

    private static String num(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String shape(long[] shape) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return s.toString();
    }
}
