package io.specwatch.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import io.specwatch.TestMatrices;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.metrics.SpectralPhase;
import org.junit.jupiter.api.Test;

class LayerAnalyzerTest {

    private final LayerAnalyzer analyzer = LayerAnalyzer.withDefaults();

    private MatrixReport analyze(DenseMatrix m) {
        return analyzer.analyze("w", new long[] {m.rows(), m.cols()}, m.values());
    }

    @Test
    void gaussianInitialisationMatchesResearchNotesR8() {
        // docs/reproductions.md R8: h × d = 1500 × 1000 Gaussian at init
        MatrixReport r = analyze(SyntheticMatrices.gaussian(1500, 1000, 8));
        assertEquals(2.46, r.alphaHill(), 0.02);
        assertEquals(0.894, r.rank().effectiveRankRatio(), 0.005);
        double edge = Math.sqrt(1500) + Math.sqrt(1000);
        assertEquals(edge, r.rank().svMax(), 0.02 * edge);
        assertEquals(SpectralPhase.RANDOM_LIKE, r.phase());
        assertEquals(0, r.mp().spikes());
    }

    @Test
    void gaussianLayerFitsASpuriouslyLargeAlphaAndIsLabelledUnderTrained() {
        // spectral-metrics §3: i.i.d. Gaussian 1000 × 500 fits to α ≈ 9.6
        MatrixReport r = analyze(SyntheticMatrices.gaussian(1000, 500, 3));
        assertEquals(MatrixReport.Status.OK, r.status());
        assertTrue(r.powerLaw().alpha() > 6, "alpha " + r.powerLaw().alpha());
        assertEquals("under-trained", r.warning());
        assertEquals(500, r.nEvals());
        assertEquals(r.powerLaw().alpha() * Math.log10(r.rank().lambdaMax()), r.alphaWeighted(), 1e-12);
        long tail = Arrays.stream(r.eigenvalues()).filter(l -> l >= r.powerLaw().xmin()).count();
        assertEquals(tail, r.tailSize().longValue());
    }

    @Test
    void plantedSpikeIsBulkPlusSpikes() {
        MatrixReport r = analyze(SyntheticMatrices.plantedSpike(512, 256, 3 * Math.sqrt(512), 4));
        assertEquals(1, r.mp().spikes());
        assertTrue(r.phase() == SpectralPhase.BULK_PLUS_SPIKES || r.phase() == SpectralPhase.HEAVY_TAILED,
                "phase " + r.phase());
    }

    @Test
    void heavyTailedSpectrumIsHeavyTailed() {
        double[] sigma = SyntheticMatrices.powerLawSingularValues(300, 3.0, 5);
        MatrixReport r = analyze(TestMatrices.withSingularValues(400, 300, sigma, 6));
        assertEquals(3.0, r.powerLaw().alpha(), 3 * r.powerLaw().sigma() + 0.2);
        assertEquals(SpectralPhase.HEAVY_TAILED, r.phase());
    }

    @Test
    void nearlyRankOneMatrixIsRankCollapse() {
        double[] sigma = new double[100];
        sigma[0] = 1000;
        Arrays.fill(sigma, 1, 100, 1e-3);
        MatrixReport r = analyze(TestMatrices.withSingularValues(150, 100, sigma, 7));
        assertTrue(r.rank().effectiveRankRatio() < 0.05);
        assertEquals(SpectralPhase.RANK_COLLAPSE, r.phase());
    }

    @Test
    void nonFiniteWeightsAreCountedAndNothingElseIsComputed() {
        DenseMatrix m = SyntheticMatrices.gaussian(50, 40, 1);
        m.values()[3] = Float.NaN;
        m.values()[7] = Float.POSITIVE_INFINITY;
        MatrixReport r = analyze(m);
        assertEquals(MatrixReport.Status.NONFINITE, r.status());
        assertEquals(SpectralPhase.NONFINITE, r.phase());
        assertEquals(2, r.nonFiniteValues());
        assertNull(r.rank());
        assertNull(r.powerLaw());
        assertNull(r.eigenvalues());
    }

    @Test
    void smallMatricesGetNormsOnly() {
        MatrixReport r = analyze(SyntheticMatrices.gaussian(30, 9, 2));
        assertEquals(MatrixReport.Status.TOO_SMALL, r.status());
        assertNotNull(r.rank());
        assertNull(r.powerLaw());
        assertNull(r.mp());
        assertNull(r.alphaHill());
    }

    @Test
    void convolutionSlicesPoolHalvedEigenvaluesOfEveryKernelPosition() {
        int out = 24;
        int in = 16;
        int kh = 3;
        int kw = 2;
        DenseMatrix flat = SyntheticMatrices.gaussian(out, in * kh * kw, 9);
        long[] shape = {out, in, kh, kw};
        MatrixReport r = analyzer.analyze("conv", shape, flat.values());
        assertEquals(kh * kw * in, r.nEvals());
        assertEquals(out, r.rows());
        assertEquals(in, r.cols());
        // independent reference: gather W[:, :, i, j] by hand and take float64 SVDs
        double[] expected = new double[kh * kw * in];
        int p = 0;
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                float[] slice = new float[out * in];
                for (int o = 0; o < out; o++) {
                    for (int c = 0; c < in; c++) {
                        slice[o * in + c] = flat.values()[((o * in + c) * kh + i) * kw + j];
                    }
                }
                double[] l = LapackSvdEngine.float64().decompose(new DenseMatrix(out, in, slice), SpectrumRequest.eigenvaluesOnly()).eigenvalues();
                for (double v : l) {
                    expected[p++] = v / 2;
                }
            }
        }
        Arrays.sort(expected);
        assertArrayEquals(expected, r.eigenvalues(), 1e-9 * expected[expected.length - 1]);
    }

    @Test
    void convolutionFlattenIsOneWideMatrix() {
        DenseMatrix flat = SyntheticMatrices.gaussian(24, 16 * 9, 10);
        LayerAnalyzer flatten = new LayerAnalyzer(io.specwatch.engine.AutomaticEngine.withDefaults(0),
                new LayerAnalyzer.Options(ConvLayout.FLATTEN, false, 0, SpectralPhase.Thresholds.DEFAULT));
        MatrixReport r = flatten.analyze("conv", new long[] {24, 16, 3, 3}, flat.values());
        MatrixReport direct = analyze(flat);
        assertEquals(24, r.nEvals());
        assertArrayEquals(direct.eigenvalues(), r.eigenvalues(), 0);
    }

    @Test
    void correlationTrapsFindLargeIsolatedEntriesButNotRealStructure() {
        LayerAnalyzer traps = new LayerAnalyzer(io.specwatch.engine.AutomaticEngine.withDefaults(0),
                LayerAnalyzer.Options.DEFAULT.withCorrelationTraps(true));
        DenseMatrix structured = SyntheticMatrices.plantedSpike(400, 200, 3 * Math.sqrt(400), 11);
        MatrixReport real = traps.analyze("w", new long[] {400, 200}, structured.values());
        assertEquals(1, real.mp().spikes());
        assertEquals(0, real.correlationTraps());
        DenseMatrix trapped = SyntheticMatrices.gaussian(400, 200, 12);
        trapped.values()[1234] = 200;
        trapped.values()[40000] = -150;
        MatrixReport trap = traps.analyze("w", new long[] {400, 200}, trapped.values());
        assertTrue(trap.correlationTraps() >= 1, "traps " + trap.correlationTraps());
        assertNull(analyze(trapped).correlationTraps(), "traps only when requested");
    }

    @Test
    void eigenvalueSampleGetsFitsButNoMarchenkoPastur() {
        double[] x = SyntheticMatrices.paretoSample(800, 2.5, 3);
        MatrixReport r = analyzer.analyzeEigenvalues("sample", x);
        assertEquals(MatrixReport.Status.OK, r.status());
        assertNull(r.mp());
        assertEquals(2.5, r.powerLaw().alpha(), 3 * r.powerLaw().sigma());
        assertThrows(IllegalArgumentException.class, () -> analyzer.analyzeEigenvalues("bad", new double[] {1, -2}));
    }

    @Test
    void oneDimensionalTensorsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> analyzer.analyze("bias", new long[] {10}, new float[10]));
    }
}
