package io.specwatch.analysis;

import java.util.Map;

import io.specwatch.metrics.Dynamics;

/**
 * How a layer moved since earlier snapshots (docs/spectral-metrics.md §6). Values are NaN where they
 * do not apply: the first snapshot, pooled convolution slices (no singular vectors), shapes that do
 * not chain.
 *
 * @param previous               comparison with the layer's previous snapshot
 * @param first                  comparison with the layer's first snapshot
 * @param update                 the update spectrum ΔW since the previous snapshot
 * @param layerAlignment         alignment with the next layer whose shape chains
 * @param baseline               values at the layer's first snapshot
 * @param directionOverlaps      |⟨v₁(W), β⟩|/‖β‖ per tracked direction name
 * @param correlationTrapsLatest the latest measured correlation traps (they run at their own cadence,
 *                               so possibly from an earlier snapshot); null before the first measurement
 */
public record LayerDynamics(Comparison previous, Comparison first, Dynamics.Update update, double layerAlignment,
                            Baseline baseline, Map<String, Double> directionOverlaps, Integer correlationTrapsLatest) {

    /** Nothing known: no earlier snapshot, no vectors. */
    public static final LayerDynamics NONE = new LayerDynamics(Comparison.NONE, Comparison.NONE, Dynamics.Update.NONE,
            Double.NaN, Baseline.NONE, Map.of(), null);

    public LayerDynamics {
        directionOverlaps = Map.copyOf(directionOverlaps);
    }

    /**
     * Singular vectors now against a reference snapshot's.
     *
     * @param agreement       mean |(u_j·u'_j)(v_j·v'_j)| over the top k (Yunis et al. 2024)
     * @param subspaceOverlap ‖U_kᵀU'_k‖_F²/k of the top-k left singular subspaces
     */
    public record Comparison(double agreement, double subspaceOverlap) {
        public static final Comparison NONE = new Comparison(Double.NaN, Double.NaN);
    }

    /**
     * A layer's values at its first snapshot, to compare with (α − α₀ rather than α alone).
     *
     * @param alphaHill          α_hill
     * @param effectiveRankRatio effective-rank ratio
     */
    public record Baseline(double alphaHill, double effectiveRankRatio) {
        public static final Baseline NONE = new Baseline(Double.NaN, Double.NaN);
    }
}
