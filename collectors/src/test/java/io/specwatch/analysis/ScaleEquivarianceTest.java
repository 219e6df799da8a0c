package io.specwatch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.metrics.PowerLawFit;
import org.junit.jupiter.api.Test;

/**
 * A matrix times c has eigenvalues times c² and the same α, ranks, spikes and phase, for c from
 * 10⁻³⁰ to 10³⁰, on both engine paths (float64 Gram up to M = 1024, float32 Gram above).
 */
class ScaleEquivarianceTest {

    static List<Double> scales() {
        List<Double> scales = new ArrayList<>(List.of(1e-30, 1e-20, 5e17, 1e18, 1e30));
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 4; i++) {
            scales.add(Math.pow(10, r.nextDouble(-30, 30)));
        }
        return scales;
    }

    static void assertEquivariant(int rows, int cols, long seed) {
        LayerAnalyzer analyzer = LayerAnalyzer.withDefaults();
        DenseMatrix base = SyntheticMatrices.powerLaw(rows, cols, 3, seed);
        MatrixReport r0 = analyzer.analyze("w", new long[] {rows, cols}, base.values());
        assertEquals(MatrixReport.Status.OK, r0.status());
        for (double c : scales()) {
            float[] scaled = new float[base.values().length];
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] = (float) (base.values()[i] * c);
            }
            MatrixReport r = analyzer.analyze("w", new long[] {rows, cols}, scaled);
            String at = rows + " x " + cols + " times " + c;
            assertEquals(r0.status(), r.status(), at);
            assertEquals(r0.phase(), r.phase(), at);
            // float32 rounding of the scaled entries moves eigenvalues by about 1e-7: α by about 1e-6
            assertEquals(r0.powerLaw().alpha(), r.powerLaw().alpha(), 1e-5 * r0.powerLaw().alpha(), at);
            assertEquals(r0.powerLaw().xmin() * c * c, r.powerLaw().xmin(), 1e-5 * r.powerLaw().xmin(), at);
            assertEquals(r0.alphaHill(), r.alphaHill(), 1e-5 * r0.alphaHill(), at);
            assertEquals(r0.rank().lambdaMax() * c * c, r.rank().lambdaMax(), 1e-5 * r.rank().lambdaMax(), at);
            assertEquals(r0.rank().stableRank(), r.rank().stableRank(), 1e-5 * r0.rank().stableRank(), at);
            assertEquals(r0.rank().effectiveRankRatio(), r.rank().effectiveRankRatio(), 1e-6, at);
            assertEquals(r0.rank().matrixRank(), r.rank().matrixRank(), at);
            assertEquals(r0.mp().spikes(), r.mp().spikes(), at);
            assertEquals(r0.mp().softRank(), r.mp().softRank(), 1e-5, at);
            assertEquals(r0.rank().logNorm() + 2 * Math.log10(c), r.rank().logNorm(), 1e-5, at);
        }
    }

    @Test
    void onTheFloat64Path() {
        assertEquivariant(96, 64, 1);
    }

    @Test
    void onTheFloat32Path() {
        assertEquivariant(1200, 1030, 2);
    }

    @Test
    void aTailOfEqualEigenvaluesHasNoExponent() {
        double[] equal = new double[50];
        java.util.Arrays.fill(equal, 4.0);
        PowerLawFit fit = PowerLawFit.fit(equal);
        assertEquals(false, fit.ok(), "alpha " + fit.alpha());
        assertEquals(Double.NaN, PowerLawFit.alphaHill(equal));
        MatrixReport r = LayerAnalyzer.withDefaults().analyzeEigenvalues("flat", equal);
        assertEquals(MatrixReport.Status.FIT_FAILED, r.status());
        assertNull(r.alphaHill());
        // an orthogonal matrix times 3: fifty singular values equal to 3 up to rounding
        DenseMatrix q = SyntheticMatrices.withSingularValues(80, 50, filled(50, 3.0), 7);
        MatrixReport m = LayerAnalyzer.withDefaults().analyze("q", new long[] {80, 50}, q.values());
        assertEquals(MatrixReport.Status.FIT_FAILED, m.status());
        assertNotNull(m.rank());
        assertEquals(1.0, m.rank().effectiveRankRatio(), 1e-5);
    }

    static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
