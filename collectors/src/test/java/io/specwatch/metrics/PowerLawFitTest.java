package io.specwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.specwatch.engine.SyntheticMatrices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PowerLawFitTest {

    /** The O(n²) scan exactly as docs/spectral-metrics.md §3 words it, with direct sums and pow. */
    static double[] naiveFit(double[] ascending) {
        double[] x = Arrays.stream(ascending).filter(v -> v > 1e-5).toArray();
        int n = x.length;
        double bestD = Double.POSITIVE_INFINITY;
        double bestAlpha = Double.NaN;
        int bestI = -1;
        for (int i = 0; i <= n - 2; i++) {
            int k = n - i;
            double sum = 0;
            for (int j = i; j < n; j++) {
                sum += Math.log(x[j]);
            }
            double alpha = 1 + k / (sum - k * Math.log(x[i]));
            double d = 1;
            if (alpha > 1 && Double.isFinite(alpha)) {
                d = 0;
                for (int m = 0; m < k; m++) {
                    d = Math.max(d, Math.abs(1 - Math.pow(x[i + m] / x[i], 1 - alpha) - (double) m / k));
                }
            }
            if (d < bestD) {
                bestD = d;
                bestAlpha = alpha;
                bestI = i;
            }
        }
        return new double[] {bestAlpha, x[bestI], bestD, bestI};
    }

    private static void assertMatchesNaive(double[] ascending) {
        double[] naive = naiveFit(ascending);
        PowerLawFit fast = PowerLawFit.fit(ascending);
        assertEquals(naive[1], fast.xmin(), 0.0, "same xmin chosen");
        assertEquals(naive[0], fast.alpha(), 1e-12 * Math.abs(naive[0]), "alpha");
        assertEquals(naive[2], fast.ksDistance(), 1e-12 * naive[2], "D");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void equalsTheNaiveScanOnParetoSamples(long seed) {
        double[] x = SyntheticMatrices.paretoSample(300 + (int) seed * 97, 1.5 + seed * 0.5, seed);
        Arrays.sort(x);
        assertMatchesNaive(x);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void equalsTheNaiveScanOnRandomLookingSpectra(long seed) {
        // squared Gaussian-ish values: a bulk without a real tail, where D is small everywhere
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[500];
        for (int i = 0; i < x.length; i++) {
            double g = 2 + random.nextGaussian();
            x[i] = g * g;
        }
        Arrays.sort(x);
        assertMatchesNaive(x);
    }

    @Test
    void equalsTheNaiveScanWithDuplicatesAndValuesBelowTheFloor() {
        double[] x = SyntheticMatrices.paretoSample(400, 3.0, 99);
        for (int i = 0; i < 60; i += 3) {
            x[i + 1] = x[i]; // exact duplicates
        }
        x[5] = 0;
        x[6] = 1e-7;
        Arrays.sort(x);
        assertMatchesNaive(x);
    }

    @ParameterizedTest
    @ValueSource(longs = {101, 102, 103, 104, 105})
    void recoversTheExponentOfAParetoSampleWithinThreeStandardErrors(long seed) {
        double[] x = SyntheticMatrices.paretoSample(800, 2.5, seed);
        Arrays.sort(x);
        PowerLawFit fit = PowerLawFit.fit(x);
        assertTrue(fit.ok());
        assertEquals(2.5, fit.alpha(), 3 * fit.sigma(), "alpha " + fit.alpha() + " sigma " + fit.sigma());
        assertEquals((fit.alpha() - 1) / Math.sqrt(fit.tailCount()), fit.sigma(), 1e-15);
    }

    @Test
    void hillEstimatorUsesTheUpperHalf() {
        // exact: x = e^0 .. e^3 at the median; ln ratios of the upper half are 0,1,2,3 -> alpha = 1 + 4/6
        double[] x = {0.5, 0.6, 0.7, 0.8, 1, Math.E, Math.exp(2), Math.exp(3)};
        assertEquals(1 + 4.0 / 6, PowerLawFit.alphaHill(x), 1e-15);
    }

    @Test
    void hillEstimatorRecoversAParetoExponent() {
        double[] x = SyntheticMatrices.paretoSample(20000, 3.0, 7);
        Arrays.sort(x);
        // the upper half of a Pareto sample is again Pareto with the same exponent
        assertEquals(3.0, PowerLawFit.alphaHill(x), 0.06);
    }

    @Test
    void tooFewEigenvaluesFailWithNaNAndNoWarning() {
        PowerLawFit fit = PowerLawFit.fit(new double[] {0, 1e-6, 3});
        assertFalse(fit.ok());
        assertTrue(Double.isNaN(fit.alpha()));
        assertNull(fit.warning());
    }

    @Test
    void identicalEigenvaluesCannotBeFitted() {
        double[] x = new double[50];
        Arrays.fill(x, 2.0);
        PowerLawFit fit = PowerLawFit.fit(x);
        assertFalse(fit.ok());
    }

    @Test
    void warningsFollowWeightWatcherThresholds() {
        assertEquals("over-trained", new PowerLawFit(1.9, 1, 0.1, 0.1, 10, 20).warning());
        assertEquals("under-trained", new PowerLawFit(6.1, 1, 0.1, 0.1, 10, 20).warning());
        assertNull(new PowerLawFit(4, 1, 0.1, 0.1, 10, 20).warning());
    }
}
