package io.specwatch.metrics;

/**
 * Norm and rank metrics of an ESD (docs/spectral-metrics.md §2), all from the full set of eigenvalues.
 *
 * @param svMax              largest singular value σ₁
 * @param lambdaMax          λ_max = σ₁² (WeightWatcher's spectral_norm)
 * @param norm               Σλ = ‖W‖_F²
 * @param logNorm            log10 Σλ
 * @param logSpectralNorm    log10 λ_max
 * @param stableRank         Σλ / λ_max
 * @param matrixRank         #{σᵢ &gt; σ₁ · N · ε_float64}
 * @param entropy            WeightWatcher's normalised matrix entropy
 * @param effectiveRank      Roy–Vetterli effective rank over singular values
 * @param effectiveRankRatio effective rank divided by the number of eigenvalues
 */
public record RankMetrics(double svMax, double lambdaMax, double norm, double logNorm, double logSpectralNorm,
                          double stableRank, int matrixRank, double entropy, double effectiveRank,
                          double effectiveRankRatio) {

    /** Machine epsilon of float64, as numpy's finfo(float64).eps. */
    static final double EPS64 = Math.ulp(1.0);
    /** WeightWatcher's additive guard in the entropy. */
    static final double ENTROPY_GUARD = 1e-10;

    public static RankMetrics of(Esd esd) {
        double[] lambda = esd.eigenvalues();
        int count = lambda.length;
        double lambdaMax = esd.max();
        double svMax = Math.sqrt(lambdaMax);
        double norm = esd.sum();
        // N of a bare eigenvalue sample is unknown: its count is the best stand-in.
        int bigDim = esd.n() > 0 ? esd.n() : count;
        double tolerance = svMax * bigDim * EPS64;
        int rank = 0;
        double svSum = 0;
        for (double l : lambda) {
            double sv = Math.sqrt(l);
            if (sv > tolerance) {
                rank++;
            }
            svSum += sv;
        }
        double h = 0;
        for (double l : lambda) {
            double p = l / norm + ENTROPY_GUARD;
            h -= p * Math.log(p);
        }
        double entropy = h / Math.log(rank + ENTROPY_GUARD);
        double shannon = 0;
        for (double l : lambda) {
            double p = Math.sqrt(l) / svSum;
            if (p > 0) {
                shannon -= p * Math.log(p);
            }
        }
        double effectiveRank = Math.exp(shannon);
        return new RankMetrics(svMax, lambdaMax, norm, Math.log10(norm), Math.log10(lambdaMax),
                norm / lambdaMax, rank, entropy, effectiveRank, effectiveRank / count);
    }

    /**
     * These metrics for the matrix times 2^e (exact for σ and λ while they stay within float64;
     * the logarithms exact always): how an analysis of pre-scaled float64 data returns to its units.
     */
    public RankMetrics timesPowerOfTwo(int e) {
        double shift = 2 * e * Math.log10(2);
        return new RankMetrics(Math.scalb(svMax, e), Math.scalb(lambdaMax, 2 * e), Math.scalb(norm, 2 * e),
                logNorm + shift, logSpectralNorm + shift, stableRank, matrixRank, entropy, effectiveRank, effectiveRankRatio);
    }
}
