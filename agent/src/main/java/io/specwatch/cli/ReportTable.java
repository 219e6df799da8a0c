package io.specwatch.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.specwatch.analysis.MatrixReport;

/** Aligned columns for people: the metrics most users read first, one row per tensor. */
final class ReportTable {

    private static final String[] HEADER = {"name", "shape", "n_evals", "alpha", "alpha_hill", "ks_dist", "tail",
        "spikes", "softrank", "stable_rank", "erank_ratio", "sv_max", "traps", "phase", "status", "seconds"};

    private final List<String[]> rows = new ArrayList<>();

    void add(MatrixReport r) {
        var pl = r.powerLaw();
        boolean fit = pl != null && pl.ok();
        var rank = r.rank();
        var mp = r.mp();
        rows.add(new String[] {
            r.name(),
            shape(r.shape()),
            rank != null ? Integer.toString(r.nEvals()) : "-",
            fit ? num(pl.alpha()) : "-",
            r.alphaHill() != null ? num(r.alphaHill()) : "-",
            fit ? num(pl.ksDistance()) : "-",
            r.tailSize() != null ? r.tailSize().toString() : "-",
            mp != null ? Integer.toString(mp.spikes()) : "-",
            mp != null ? num(mp.softRank()) : "-",
            rank != null ? num(rank.stableRank()) : "-",
            rank != null ? num(rank.effectiveRankRatio()) : "-",
            rank != null ? num(rank.svMax()) : "-",
            r.correlationTraps() != null ? r.correlationTraps().toString() : "-",
            r.phase().label(),
            r.status().label() + (r.nonFiniteValues() > 0 ? " (" + r.nonFiniteValues() + " non-finite)" : ""),
            String.format(Locale.ROOT, "%.3f", r.seconds()),
        });
    }

    void print(PrintWriter out) {
        int[] width = new int[HEADER.length];
        List<String[]> all = new ArrayList<>();
        all.add(HEADER);
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
                boolean left = i <= 1 || i >= 13;
                String cell = row[i];
                String pad = " ".repeat(width[i] - cell.length());
                line.append(left ? cell + pad : pad + cell);
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
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
