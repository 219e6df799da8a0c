package io.specwatch.catalogue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.MatrixReport;
import io.specwatch.metrics.MarchenkoPasturFit;
import io.specwatch.metrics.PowerLawFit;
import io.specwatch.metrics.RankMetrics;
import io.specwatch.metrics.SpectralPhase;

/**
 * Every number a report carries, defined once, in record order: the JSON record of
 * {@code specwatch analyze} and of the history, the Prometheus gauges, the table, the live page's
 * and the report's charts all read this list. Adding a metric is one entry here and one row in
 * docs/metrics.md (a test checks that the two agree). The definitions are in
 * docs/spectral-metrics.md.
 */
public final class MetricCatalogue {

    /** Prometheus label names every per-layer family carries. */
    public static final String MODEL_LABEL = "model";
    public static final String LAYER_LABEL = "layer";
    /**
     * The process's rank in a multi-process job, on every series a monitor exports (added by the
     * exporters from the monitor's settings, not read from a report).
     */
    public static final String RANK_LABEL = "rank";
    /** The key of the top singular values, the one per-layer family whose size is a setting (k series). */
    public static final String TOP_SINGULAR_VALUES = "top_singular_values";

    private static final List<Field> FIELDS = new ArrayList<>();

    static {
        // which snapshot and layer a history record is about
        identity("step", Field.Type.COUNT, LayerReport::step);
        identity("timestamp", Field.Type.REAL, r -> r.epochMillis() / 1000.0);
        identity("model", Field.Type.TEXT, LayerReport::model);
        identity("layer", Field.Type.TEXT, LayerReport::layer);

        // the static metrics of one tensor (docs/spectral-metrics.md §2-§5, §7)
        matrix("name", Field.Type.TEXT, MatrixReport::name);
        matrix("shape", Field.Type.SHAPE, MatrixReport::shape);
        matrix("rows", Field.Type.COUNT, r -> r.rows() > 0 ? r.rows() : null);
        matrix("cols", Field.Type.COUNT, r -> r.cols() > 0 ? r.cols() : null);
        matrix("n_evals", Field.Type.COUNT, r -> r.rank() != null ? r.nEvals() : null);
        add(matrix("alpha", Field.Type.REAL, fit(PowerLawFit::alpha))
                .exported("spectral_powerlaw_alpha", "1", "Power-law exponent of the ESD tail (KS-selected xmin, WeightWatcher's fit)")
                .charted("α (KS-selected xmin)", "α (dimensionless)").healthy(2, 6));
        add(matrix("alpha_hill", Field.Type.REAL, MatrixReport::alphaHill)
                .exported("spectral_powerlaw_alpha_hill", "1", "Power-law exponent with xmin at the median eigenvalue")
                .charted("α_hill (xmin at the median)", "α_hill (dimensionless)").heatmap());
        add(matrix("xmin", Field.Type.REAL, fit(PowerLawFit::xmin))
                .exported("spectral_powerlaw_xmin", "eigenvalue", "Lower bound of the fitted tail (eigenvalue units)"));
        add(matrix("ks_distance", Field.Type.REAL, fit(PowerLawFit::ksDistance))
                .exported("spectral_powerlaw_ks_distance", "1", "KS distance of the power-law fit (smaller: better fit)"));
        matrix("sigma", Field.Type.REAL, fit(PowerLawFit::sigma));
        add(matrix("tail_size", Field.Type.COUNT, MatrixReport::tailSize)
                .exported("spectral_powerlaw_tail_size", "eigenvalues", "Eigenvalues at or above xmin"));
        add(matrix("alpha_weighted", Field.Type.REAL, MatrixReport::alphaWeighted)
                .exported("spectral_alpha_weighted", "1", "alpha times log10 of the largest eigenvalue"));
        matrix("log_alpha_norm", Field.Type.REAL, MatrixReport::logAlphaNorm);
        matrix("norm", Field.Type.REAL, rank(RankMetrics::norm));
        matrix("log_norm", Field.Type.REAL, rank(RankMetrics::logNorm));
        matrix("lambda_max", Field.Type.REAL, rank(RankMetrics::lambdaMax));
        add(matrix("log_spectral_norm", Field.Type.REAL, rank(RankMetrics::logSpectralNorm))
                .exported("spectral_log_spectral_norm", "1", "log10 of the largest eigenvalue"));
        add(matrix("sv_max", Field.Type.REAL, rank(RankMetrics::svMax))
                .exported("spectral_singular_value_max", "1", "Largest singular value")
                .charted("largest singular value σ₁", "σ₁ (weight units)"));
        add(matrix("stable_rank", Field.Type.REAL, rank(RankMetrics::stableRank))
                .exported("spectral_stable_rank", "1", "Frobenius norm squared over spectral norm squared")
                .charted("stable rank", "stable rank (dimensionless)"));
        add(matrix("matrix_rank", Field.Type.COUNT, rank(RankMetrics::matrixRank))
                .exported("spectral_matrix_rank", "1", "Numerical rank"));
        matrix("entropy", Field.Type.REAL, rank(RankMetrics::entropy));
        matrix("effective_rank", Field.Type.REAL, rank(RankMetrics::effectiveRank));
        add(matrix("effective_rank_ratio", Field.Type.REAL, rank(RankMetrics::effectiveRankRatio))
                .exported("spectral_effective_rank_ratio", "1", "Roy-Vetterli effective rank over the number of eigenvalues")
                .charted("effective-rank ratio", "effective rank / n_evals (fraction)").heatmap());
        add(matrix("spikes", Field.Type.COUNT, mp(MarchenkoPasturFit::spikes))
                .exported("spectral_spikes", "eigenvalues", "Eigenvalues beyond the Marchenko-Pastur bulk edge plus the Tracy-Widom margin")
                .charted("spikes", "spikes (eigenvalues)"));
        matrix("mp_bulk_max", Field.Type.REAL, mp(MarchenkoPasturFit::bulkMax));
        matrix("mp_sigma", Field.Type.REAL, mp(MarchenkoPasturFit::sigma));
        add(matrix("mp_softrank", Field.Type.REAL, mp(MarchenkoPasturFit::softRank))
                .exported("spectral_mp_softrank", "1", "Marchenko-Pastur bulk edge over the largest eigenvalue"));
        matrix("correlation_traps", Field.Type.COUNT, MatrixReport::correlationTraps);
        add(matrix("phase", Field.Type.TEXT, r -> r.phase().label())
                .exported("spectral_phase", "1", "1 for the layer's current spectral phase, 0 for the others")
                .labelled("phase", null));
        matrix("status", Field.Type.TEXT, r -> r.status().label());
        matrix("warning", Field.Type.TEXT, MatrixReport::warning);
        add(matrix("nonfinite_values", Field.Type.COUNT, MatrixReport::nonFiniteValues)
                .exported("spectral_nonfinite_values", "entries", "NaN or infinite entries in the weights"));
        matrix("engine", Field.Type.TEXT, MatrixReport::engine);
        matrix("seconds", Field.Type.REAL, MatrixReport::seconds);

        // across snapshots (docs/spectral-metrics.md §6) and for the exporters
        add(layer("correlation_traps_latest", Field.Type.COUNT, r -> r.dynamics().correlationTrapsLatest())
                .exported("spectral_correlation_traps", "eigenvalues", "Spikes that survive shuffling the entries (latest measurement)"));
        String agreement = "Mean |(u.u')(v.v')| of the top singular vectors against a reference snapshot";
        add(layer("singular_vector_agreement_previous", Field.Type.REAL, r -> r.dynamics().previous().agreement())
                .exported("spectral_singular_vector_agreement", "1", agreement).labelled("reference", "previous"));
        add(layer("singular_vector_agreement_first", Field.Type.REAL, r -> r.dynamics().first().agreement())
                .exported("spectral_singular_vector_agreement", "1", agreement).labelled("reference", "first")
                .charted("agreement with the first snapshot", "agreement (fraction, 1 = unchanged)"));
        String subspace = "Overlap of the top left singular subspace with a reference snapshot's";
        add(layer("subspace_overlap_previous", Field.Type.REAL, r -> r.dynamics().previous().subspaceOverlap())
                .exported("spectral_subspace_overlap", "1", subspace).labelled("reference", "previous"));
        add(layer("subspace_overlap_first", Field.Type.REAL, r -> r.dynamics().first().subspaceOverlap())
                .exported("spectral_subspace_overlap", "1", subspace).labelled("reference", "first"));
        add(layer("update_norm_ratio", Field.Type.REAL, r -> r.dynamics().update().normRatio())
                .exported("spectral_update_norm_ratio", "1", "Frobenius norm of the update since the previous snapshot over that of the weights")
                .charted("update norm ratio ‖ΔW‖/‖W‖", "‖ΔW‖/‖W‖ (ratio)"));
        add(layer("update_stable_rank", Field.Type.REAL, r -> r.dynamics().update().stableRank())
                .exported("spectral_update_stable_rank", "1", "Stable rank of the update since the previous snapshot"));
        add(layer("update_alignment", Field.Type.REAL, r -> r.dynamics().update().alignment())
                .exported("spectral_update_alignment", "1", "Overlap of the top right singular vectors of the update and of the weights"));
        add(layer("layer_alignment", Field.Type.REAL, r -> r.dynamics().layerAlignment())
                .exported("spectral_layer_alignment", "1", "Alignment of this layer's top left singular vectors with the next layer's right ones"));
        add(layer("alpha_hill_baseline", Field.Type.REAL, r -> r.dynamics().baseline().alphaHill())
                .exported("spectral_powerlaw_alpha_hill_baseline", "1", "alpha_hill at the layer's first snapshot"));
        add(layer("effective_rank_ratio_baseline", Field.Type.REAL, r -> r.dynamics().baseline().effectiveRankRatio())
                .exported("spectral_effective_rank_ratio_baseline", "1", "Effective-rank ratio at the layer's first snapshot"));
        add(layer("direction_overlap", Field.Type.MAP, r -> r.dynamics().directionOverlaps())
                .exported("spectral_direction_overlap", "1", "|<v1(W), beta>| / |beta| for a tracked direction beta")
                .labelled("direction", null));
        // labelled index, not rank: rank is the process's rank in a multi-process job
        add(layer(TOP_SINGULAR_VALUES, Field.Type.LIST, LayerReport::topSingularValues)
                .exported("spectral_top_singular_value", "1", "The largest singular values, by index (1 is the largest)")
                .labelled("index", null));
    }

    /** The columns of the table ({@code specwatch analyze}'s default output): header and field key. */
    private static final Map<String, String> TABLE = new LinkedHashMap<>();

    static {
        for (String[] c : new String[][] {{"name", "name"}, {"shape", "shape"}, {"n_evals", "n_evals"}, {"alpha", "alpha"},
            {"alpha_hill", "alpha_hill"}, {"ks_dist", "ks_distance"}, {"tail", "tail_size"}, {"spikes", "spikes"},
            {"softrank", "mp_softrank"}, {"stable_rank", "stable_rank"}, {"erank_ratio", "effective_rank_ratio"},
            {"sv_max", "sv_max"}, {"traps", "correlation_traps"}, {"phase", "phase"}, {"status", "status"}, {"seconds", "seconds"}}) {
            TABLE.put(c[0], c[1]);
        }
        for (String key : TABLE.values()) {
            field(key);
        }
    }

    private MetricCatalogue() {
    }

    /** Every field, in record order. */
    public static List<Field> fields() {
        return List.copyOf(FIELDS);
    }

    /** The fields of one scope, in record order. */
    public static List<Field> fields(Field.Scope scope) {
        return FIELDS.stream().filter(f -> f.scope() == scope).toList();
    }

    /** The exported fields, in record order. */
    public static List<Field> exported() {
        return FIELDS.stream().filter(f -> f.export() != null).toList();
    }

    /** The fields with a chart, in record order. */
    public static List<Field> charts() {
        return FIELDS.stream().filter(f -> f.chart() != null).toList();
    }

    /** The field with this key. */
    public static Field field(String key) {
        for (Field f : FIELDS) {
            if (f.key().equals(key)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no field '" + key + "' in the catalogue");
    }

    /** The table's columns: header to field key, in column order. */
    public static Map<String, String> tableColumns() {
        return new LinkedHashMap<>(TABLE);
    }

    /** Every phase label, in classification order: the label values of {@code spectral_phase}. */
    static void oneHot(Field field, String current, Map<String, Double> out) {
        for (SpectralPhase p : SpectralPhase.values()) {
            out.put(p.label(), p.label().equals(current) ? 1.0 : 0.0);
        }
    }

    private static Field add(Field f) {
        // the builder methods return new records: replace the entry registered under the same key
        for (int i = 0; i < FIELDS.size(); i++) {
            if (FIELDS.get(i).key().equals(f.key())) {
                FIELDS.set(i, f);
                return f;
            }
        }
        FIELDS.add(f);
        return f;
    }

    private static void identity(String key, Field.Type type, Function<LayerReport, Object> read) {
        add(new Field(key, type, Field.Scope.IDENTITY, read, null, null, null));
    }

    private static Field matrix(String key, Field.Type type, Function<MatrixReport, Object> read) {
        return add(new Field(key, type, Field.Scope.MATRIX, r -> read.apply(r.report()), read, null, null));
    }

    private static Field layer(String key, Field.Type type, Function<LayerReport, Object> read) {
        return add(new Field(key, type, Field.Scope.LAYER, read, null, null, null));
    }

    private static Function<MatrixReport, Object> fit(Function<PowerLawFit, Double> part) {
        return r -> r.tail().ok() ? part.apply(r.powerLaw()) : null;
    }

    private static Function<MatrixReport, Object> rank(Function<RankMetrics, Object> part) {
        return r -> r.rank() != null ? part.apply(r.rank()) : null;
    }

    private static Function<MatrixReport, Object> mp(Function<MarchenkoPasturFit, Object> part) {
        return r -> r.mp() != null ? part.apply(r.mp()) : null;
    }
}
