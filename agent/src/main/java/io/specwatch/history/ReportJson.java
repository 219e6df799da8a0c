package io.specwatch.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.analysis.MatrixReport;

/**
 * The JSON form of a {@link MatrixReport}: flat snake_case fields in a fixed order, null for
 * whatever does not apply (JSON has no NaN). Shared by `specwatch analyze`, the history and the live page.
 */
public final class ReportJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReportJson() {
    }

    /** One report as a JSON object; {@code withEigenvalues} adds the sorted ESD. */
    public static ObjectNode toJson(MatrixReport r, boolean withEigenvalues) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", r.name());
        var shape = o.putArray("shape");
        for (long d : r.shape()) {
            shape.add(d);
        }
        putCount(o, "rows", r.rows() > 0 ? r.rows() : null);
        putCount(o, "cols", r.cols() > 0 ? r.cols() : null);
        putCount(o, "n_evals", r.rank() != null ? r.nEvals() : null);
        var pl = r.powerLaw();
        boolean fit = pl != null && pl.ok();
        put(o, "alpha", fit ? pl.alpha() : null);
        put(o, "alpha_hill", r.alphaHill());
        put(o, "xmin", fit ? pl.xmin() : null);
        put(o, "ks_distance", fit ? pl.ksDistance() : null);
        put(o, "sigma", fit ? pl.sigma() : null);
        putCount(o, "tail_size", r.tailSize());
        put(o, "alpha_weighted", r.alphaWeighted());
        put(o, "log_alpha_norm", r.logAlphaNorm());
        var rank = r.rank();
        put(o, "norm", rank != null ? rank.norm() : null);
        put(o, "log_norm", rank != null ? rank.logNorm() : null);
        put(o, "lambda_max", rank != null ? rank.lambdaMax() : null);
        put(o, "log_spectral_norm", rank != null ? rank.logSpectralNorm() : null);
        put(o, "sv_max", rank != null ? rank.svMax() : null);
        put(o, "stable_rank", rank != null ? rank.stableRank() : null);
        putCount(o, "matrix_rank", rank != null ? rank.matrixRank() : null);
        put(o, "entropy", rank != null ? rank.entropy() : null);
        put(o, "effective_rank", rank != null ? rank.effectiveRank() : null);
        put(o, "effective_rank_ratio", rank != null ? rank.effectiveRankRatio() : null);
        var mp = r.mp();
        putCount(o, "spikes", mp != null ? mp.spikes() : null);
        put(o, "mp_bulk_max", mp != null ? mp.bulkMax() : null);
        put(o, "mp_sigma", mp != null ? mp.sigma() : null);
        put(o, "mp_softrank", mp != null ? mp.softRank() : null);
        putCount(o, "correlation_traps", r.correlationTraps());
        o.put("phase", r.phase().label());
        o.put("status", r.status().label());
        o.put("warning", r.warning());
        o.put("nonfinite_values", r.nonFiniteValues());
        o.put("engine", r.engine());
        o.put("seconds", r.seconds());
        if (withEigenvalues) {
            if (r.eigenvalues() == null) {
                o.putNull("eigenvalues");
            } else {
                var array = o.putArray("eigenvalues");
                for (double v : r.eigenvalues()) {
                    array.add(v);
                }
            }
        }
        return o;
    }

    /** Puts a number, or null when it is absent or not finite (JSON has no NaN). */
    public static void put(ObjectNode o, String field, Double value) {
        if (value == null || !Double.isFinite(value)) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }

    private static void putCount(ObjectNode o, String field, Integer value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
