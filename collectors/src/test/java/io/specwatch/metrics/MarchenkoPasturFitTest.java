package io.specwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.GramEigenEngine;
import io.specwatch.engine.SpectrumRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarchenkoPasturFitTest {

    static Esd esdOf(DenseMatrix m) {
        double[] lambda = GramEigenEngine.float64().decompose(m, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
        return Esd.of(lambda, m.larger(), m.smaller());
    }

    @Test
    void densityIntegratesToOneAndVanishesOutsideTheBulk() {
        double q = 2.0;
        double sigma = 1.3;
        double a = sigma * sigma * Math.pow(1 - 1 / Math.sqrt(q), 2);
        double b = sigma * sigma * Math.pow(1 + 1 / Math.sqrt(q), 2);
        int steps = 200000;
        double h = (b - a) / steps;
        double integral = 0;
        for (int i = 0; i < steps; i++) {
            integral += MarchenkoPasturFit.density(a + (i + 0.5) * h, sigma, q) * h;
        }
        assertEquals(1.0, integral, 1e-3);
        assertEquals(0.0, MarchenkoPasturFit.density(b * 1.01, sigma, q));
        assertEquals(0.0, MarchenkoPasturFit.density(a * 0.99, sigma, q));
    }

    @Test
    void kernelDensityIntegratesToOne() {
        double[] samples = {0.3, 0.5, 0.5, 1.7};
        double[] grid = new double[1001];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = i * 0.0025;
        }
        double[] density = MarchenkoPasturFit.linearKernelDensity(samples, grid, 0.1);
        double integral = 0;
        for (double d : density) {
            integral += d * 0.0025;
        }
        assertEquals(1.0, integral, 1e-9);
        // the peak of two coinciding samples out of four: 2/4 · (1/h)
        assertEquals(5.0, density[200], 1e-9);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void gaussianMatrixIsAllBulk(long seed) {
        MarchenkoPasturFit fit = MarchenkoPasturFit.fit(esdOf(SyntheticMatrices.gaussian(1000, 500, seed)));
        assertNotNull(fit);
        assertEquals(0, fit.spikes());
        assertEquals(1.02, fit.softRank(), 0.05);
        // mean-1 rescaling of N(0,1) entries: σ² of the MP law is 1
        assertEquals(1.0, fit.sigma(), 0.05);
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5, 6})
    void plantedRankOneSignalGivesExactlyOneSpikeAtTheBbpLocation(long seed) {
        int n = 512;
        int m = 256;
        double strength = 3 * Math.sqrt(n);
        DenseMatrix w = SyntheticMatrices.plantedSpike(n, m, strength, seed);
        Esd esd = esdOf(w);
        MarchenkoPasturFit fit = MarchenkoPasturFit.fit(esd);
        assertEquals(1, fit.spikes());
        assertTrue(fit.softRank() < 0.5, "one spike dominates: soft rank " + fit.softRank());
        // Benaych-Georges–Nadakuditi: outlier σ = sqrt((N + s²)(M + s²)) / s for N(0,1) noise
        double s2 = strength * strength;
        double bbp = Math.sqrt((n + s2) * (m + s2)) / strength;
        assertEquals(bbp, Math.sqrt(esd.max()), 0.03 * bbp);
        // and the bulk edge near (√N + √M)²
        assertEquals(Math.pow(Math.sqrt(n) + Math.sqrt(m), 2), fit.bulkMax(), 0.1 * fit.bulkMax());
    }

    @Test
    void bareEigenvalueSampleHasNoMarchenkoPasturFit() {
        assertNull(MarchenkoPasturFit.fit(new Esd(new double[] {1, 2, 3}, 0, 0)));
    }
}
