package io.specwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RankMetricsTest {

    @Test
    void flatSpectrumHasFullEffectiveRankAndUnitEntropy() {
        double[] lambda = new double[20];
        java.util.Arrays.fill(lambda, 4.0);
        RankMetrics r = RankMetrics.of(new Esd(lambda, 30, 20));
        assertEquals(2.0, r.svMax(), 0);
        assertEquals(4.0, r.lambdaMax(), 0);
        assertEquals(80.0, r.norm(), 1e-12);
        assertEquals(Math.log10(80), r.logNorm(), 1e-12);
        assertEquals(Math.log10(4), r.logSpectralNorm(), 1e-12);
        assertEquals(20.0, r.stableRank(), 1e-12);
        assertEquals(20, r.matrixRank());
        assertEquals(20.0, r.effectiveRank(), 1e-9);
        assertEquals(1.0, r.effectiveRankRatio(), 1e-9);
        assertEquals(1.0, r.entropy(), 1e-6);
    }

    @Test
    void rankOneSpectrumHasRankOneEverywhere() {
        double[] lambda = new double[10];
        lambda[9] = 9.0;
        RankMetrics r = RankMetrics.of(new Esd(lambda, 12, 10));
        assertEquals(1, r.matrixRank());
        assertEquals(1.0, r.stableRank(), 0);
        assertEquals(1.0, r.effectiveRank(), 1e-12);
        assertEquals(0.1, r.effectiveRankRatio(), 1e-12);
    }

    @Test
    void matrixRankUsesTheFloat64ToleranceScaledByN() {
        // σ₁ = 1, N = 1000: tolerance 1000·ε ≈ 2.2e-13; σ = 1e-12 counts, σ = 1e-13 does not
        double[] lambda = {1e-26, 1e-24, 0.25, 1.0};
        RankMetrics r = RankMetrics.of(new Esd(lambda, 1000, 4));
        assertEquals(3, r.matrixRank());
    }

    @Test
    void effectiveRankUsesSingularValuesNotEigenvalues() {
        // σ = (1, 3): p = (1/4, 3/4), erank = exp(H)
        RankMetrics r = RankMetrics.of(new Esd(new double[] {1, 9}, 2, 2));
        double h = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
        assertEquals(Math.exp(h), r.effectiveRank(), 1e-12);
        // WeightWatcher entropy over λ: p = (0.1, 0.9) (+1e-10), normalised by ln(rank)
        double p1 = 0.1 + 1e-10;
        double p2 = 0.9 + 1e-10;
        assertEquals(-(p1 * Math.log(p1) + p2 * Math.log(p2)) / Math.log(2 + 1e-10), r.entropy(), 1e-12);
    }
}
