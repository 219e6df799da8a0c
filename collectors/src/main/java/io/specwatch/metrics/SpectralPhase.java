package io.specwatch.metrics;

/**
 * One label per matrix from the heavy-tailed self-regularisation taxonomy (docs/spectral-metrics.md §7),
 * evaluated in declaration order; the first that applies wins.
 */
public enum SpectralPhase {
    /** NaN or ±Inf among the weights: nothing else was computed. */
    NONFINITE("nonfinite"),
    /** Numerical rank below M, or effective-rank ratio below the collapse threshold. */
    RANK_COLLAPSE("rank-collapse"),
    /** No spike beyond the Marchenko–Pastur bulk and the bulk reaches the top (soft rank high). */
    RANDOM_LIKE("random-like"),
    /** Spikes over a random bulk, without a real heavy tail (α large or not fittable). */
    BULK_PLUS_SPIKES("bulk+spikes"),
    /** Power-law tail with α in the healthy range. */
    HEAVY_TAILED("heavy-tailed"),
    /** Power-law tail with α below the heavy-tail bound (WeightWatcher: over-trained). */
    VERY_HEAVY_TAILED("very-heavy-tailed"),
    /** None of the above applies, e.g. a matrix too small to fit or α large without spikes. (ours) */
    UNDETERMINED("undetermined");

    private final String label;

    SpectralPhase(String label) {
        this.label = label;
    }

    /** The label as exported (e.g. {@code bulk+spikes}). */
    public String label() {
        return label;
    }

    /**
     * Thresholds of the classification; the defaults are those of docs/spectral-metrics.md §7.
     *
     * @param collapseEffectiveRankRatio effective-rank ratio below which a matrix counts as collapsed (0.05)
     * @param randomSoftRank             MP soft rank at or above which a spike-free matrix is random-like (0.9)
     * @param lightTailAlpha             α above which a tail is not heavy (6, WeightWatcher's under-trained bound)
     * @param veryHeavyTailAlpha         α below which a tail is very heavy (2, WeightWatcher's over-trained bound)
     */
    public record Thresholds(double collapseEffectiveRankRatio, double randomSoftRank, double lightTailAlpha,
                             double veryHeavyTailAlpha) {

        public static final Thresholds DEFAULT = new Thresholds(0.05, 0.9, 6, 2);
    }

    /**
     * Classifies a finite matrix.
     *
     * @param rank     norm and rank metrics
     * @param nEvals   number of eigenvalues (M, or kh·kw·M for pooled slices)
     * @param powerLaw the tail fit, or null when none was attempted
     * @param mp       the bulk fit, or null when none was attempted
     */
    public static SpectralPhase classify(RankMetrics rank, int nEvals, PowerLawFit powerLaw, MarchenkoPasturFit mp,
                                         Thresholds t) {
        if (rank.matrixRank() < nEvals || rank.effectiveRankRatio() < t.collapseEffectiveRankRatio()) {
            return RANK_COLLAPSE;
        }
        if (mp != null && mp.spikes() == 0 && mp.softRank() >= t.randomSoftRank()) {
            return RANDOM_LIKE;
        }
        boolean fitted = powerLaw != null && powerLaw.ok();
        if (mp != null && mp.spikes() >= 1 && (!fitted || powerLaw.alpha() > t.lightTailAlpha())) {
            return BULK_PLUS_SPIKES;
        }
        if (fitted && powerLaw.alpha() >= t.veryHeavyTailAlpha() && powerLaw.alpha() <= t.lightTailAlpha()) {
            return HEAVY_TAILED;
        }
        if (fitted && powerLaw.alpha() < t.veryHeavyTailAlpha()) {
            return VERY_HEAVY_TAILED;
        }
        return UNDETERMINED;
    }
}
