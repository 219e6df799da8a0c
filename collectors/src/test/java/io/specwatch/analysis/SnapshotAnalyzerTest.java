package io.specwatch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.CountingEngine;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.engine.SyntheticMatrices;
import org.junit.jupiter.api.Test;

/** The snapshot analyzer on synthetic snapshots, on one thread: dynamics against known answers. */
class SnapshotAnalyzerTest {

    static SnapshotAnalyzer analyzer(int trapsEvery) {
        return new SnapshotAnalyzer(AutomaticEngine.withDefaults(0),
                new SnapshotAnalyzer.Settings("m", LayerAnalyzer.Options.DEFAULT, 10, trapsEvery, 5));
    }

    static WeightSnapshot.Weight weight(String name, DenseMatrix m) {
        return new WeightSnapshot.Weight(name, new long[] {m.rows(), m.cols()}, m.values());
    }

    static WeightSnapshot snapshot(long step, WeightTensor... tensors) {
        return new WeightSnapshot(step, 1000 * step, List.of(tensors));
    }

    static List<LayerReport> analyze(SnapshotAnalyzer a, WeightSnapshot s) {
        List<String> failures = new ArrayList<>();
        List<LayerReport> reports = a.analyze(s, (where, e) -> failures.add(where + ": " + e));
        assertEquals(List.of(), failures);
        return reports;
    }

    static double[] unit(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < n; i++) {
            v[i] /= Math.sqrt(norm);
        }
        return v;
    }

    @Test
    void theFirstSnapshotHasNoDynamicsAndAnUnchangedLayerAgreesFully() {
        SnapshotAnalyzer a = analyzer(0);
        DenseMatrix w = SyntheticMatrices.powerLaw(120, 60, 3, 1);
        LayerReport first = analyze(a, snapshot(0, weight("w", w))).get(0);
        assertTrue(Double.isNaN(first.dynamics().previous().agreement()));
        assertTrue(Double.isNaN(first.dynamics().update().normRatio()));
        assertEquals(first.report().alphaHill(), first.dynamics().baseline().alphaHill(), 0);
        LayerReport again = analyze(a, snapshot(1, weight("w", new DenseMatrix(120, 60, w.values().clone())))).get(0);
        assertEquals(1.0, again.dynamics().previous().agreement(), 1e-5);
        assertEquals(1.0, again.dynamics().first().subspaceOverlap(), 1e-5);
        assertEquals(0.0, again.dynamics().update().normRatio(), 0);
        assertTrue(Double.isNaN(again.dynamics().update().stableRank()), "no direction in a zero update");
        assertEquals(first.report().alphaHill(), again.dynamics().baseline().alphaHill(), 0);
        assertEquals(5, again.topSingularValues().length);
        assertEquals(again.report().rank().svMax(), again.topSingularValues()[0], 0);
    }

    @Test
    void aRankOneUpdateHasStableRankOneAndTheExpectedNormRatioAndAlignment() {
        SnapshotAnalyzer a = analyzer(0);
        int rows = 150;
        int cols = 80;
        DenseMatrix w0 = SyntheticMatrices.gaussian(rows, cols, 3);
        double[] u = unit(rows, 4);
        double[] v = unit(cols, 5);
        double s = 25;
        float[] w1 = w0.values().clone();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w1[i * cols + j] += (float) (s * u[i] * v[j]);
            }
        }
        analyze(a, snapshot(0, weight("w", w0)));
        LayerReport r = analyze(a, snapshot(1, weight("w", new DenseMatrix(rows, cols, w1)))).get(0);
        // references computed here, in float64, from the entries
        double deltaSquared = 0;
        double weightSquared = 0;
        for (int k = 0; k < w1.length; k++) {
            double d = (double) w1[k] - w0.values()[k];
            deltaSquared += d * d;
            weightSquared += (double) w1[k] * w1[k];
        }
        assertEquals(Math.sqrt(deltaSquared / weightSquared), r.dynamics().update().normRatio(), 1e-6);
        assertEquals(1.0, r.dynamics().update().stableRank(), 1e-3);
        SingularVectors top = LapackSvdEngine.float64().decompose(new DenseMatrix(rows, cols, w1), new SpectrumRequest(false, 1)).vectors();
        double dot = 0;
        for (int j = 0; j < cols; j++) {
            dot += v[j] * top.right()[0][j];
        }
        assertEquals(Math.abs(dot), r.dynamics().update().alignment(), 1e-3);
    }

    /** A float64 tensor, as a checkpoint's F64 entry reaches the analysis. */
    static WeightTensor float64(String name, int rows, int cols, double[] values) {
        return new WeightTensor() {
            @Override
            public TensorInfo info() {
                return new TensorInfo(name, new long[] {rows, cols});
            }

            @Override
            public float[] values() {
                return read().at(0);
            }

            @Override
            public TensorValues read() {
                return TensorValues.of(values);
            }

            @Override
            public long heldBytes() {
                return 8L * values.length;
            }
        };
    }

    @Test
    void float64WeightsNear1e200AndTheirUpdateAreAnalysedAsTheSameMatrixTimesC() {
        int rows = 150;
        int cols = 80;
        double[] w0 = new double[rows * cols];
        double[] w1 = new double[rows * cols];
        SplittableRandom r = new SplittableRandom(8);
        for (int k = 0; k < w0.length; k++) {
            w0[k] = r.nextGaussian();
            w1[k] = w0[k] + 0.1 * r.nextGaussian();
        }
        List<LayerReport> unit = new ArrayList<>();
        List<LayerReport> huge = new ArrayList<>();
        for (double c : new double[] {1, 1e200}) {
            SnapshotAnalyzer a = analyzer(0);
            List<LayerReport> out = c == 1 ? unit : huge;
            for (double[] w : List.of(w0, w1)) {
                double[] scaled = java.util.Arrays.stream(w).map(x -> x * c).toArray();
                out.add(analyze(a, snapshot(out.size(), float64("w", rows, cols, scaled))).get(0));
            }
        }
        LayerReport u = unit.get(1);
        LayerReport h = huge.get(1);
        assertEquals(MatrixReport.Status.OK, h.report().status());
        assertEquals(u.report().phase(), h.report().phase());
        assertEquals(u.report().powerLaw().alpha(), h.report().powerLaw().alpha(), 1e-6);
        assertEquals(u.report().rank().logNorm() + 400, h.report().rank().logNorm(), 1e-6);
        assertEquals(u.report().rank().svMax() * 1e200, h.report().rank().svMax(), 1e-5 * u.report().rank().svMax() * 1e200);
        assertEquals(u.topSingularValues()[0] * 1e200, h.topSingularValues()[0], 1e-5 * u.topSingularValues()[0] * 1e200);
        // ‖ΔW‖/‖W‖ is scale-free: the update of the 1e200 run is the unit run's
        assertEquals(u.dynamics().update().normRatio(), h.dynamics().update().normRatio(), 1e-6);
        assertEquals(u.dynamics().previous().agreement(), h.dynamics().previous().agreement(), 1e-4);
    }

    @Test
    void consecutiveLayersWhoseShapesChainGetTheirAlignment() {
        SnapshotAnalyzer a = analyzer(0);
        DenseMatrix w = SyntheticMatrices.powerLaw(64, 32, 3, 6);
        // Wᵀ's right singular vectors are W's left ones: perfect alignment
        float[] t = new float[32 * 64];
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 32; j++) {
                t[j * 64 + i] = w.values()[i * 32 + j];
            }
        }
        DenseMatrix unrelated = SyntheticMatrices.gaussian(20, 30, 7);
        List<LayerReport> reports = analyze(a, snapshot(0, weight("a", w), weight("b", new DenseMatrix(32, 64, t)), weight("c", unrelated)));
        assertEquals(1.0, reports.get(0).dynamics().layerAlignment(), 1e-4);
        assertTrue(Double.isNaN(reports.get(1).dynamics().layerAlignment()), "32 rows do not chain into 30 columns");
        assertTrue(Double.isNaN(reports.get(2).dynamics().layerAlignment()), "the last layer has no next one");
    }

    @Test
    void correlationTrapsRunAtTheirOwnCadenceAndTheLatestValueIsKept() {
        SnapshotAnalyzer a = analyzer(2);
        DenseMatrix w = SyntheticMatrices.gaussian(100, 50, 8);
        List<Integer> measured = new ArrayList<>();
        List<Integer> latest = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            LayerReport r = analyze(a, snapshot(step, weight("w", w))).get(0);
            measured.add(r.report().correlationTraps());
            latest.add(r.dynamics().correlationTrapsLatest());
        }
        assertNotNull(measured.get(0));
        assertNull(measured.get(1));
        assertNotNull(measured.get(2));
        assertNull(measured.get(3));
        assertEquals(measured.get(0), latest.get(1), "the latest measurement is carried between measurements");
        latest.forEach(v -> assertNotNull(v));
    }

    @Test
    void aTrackedDirectionOverlapsTheSingularVectorItWasPlantedAlong() {
        SnapshotAnalyzer a = analyzer(0);
        double[] beta = unit(60, 9);
        float[] betaF = new float[60];
        for (int j = 0; j < 60; j++) {
            betaF[j] = (float) (3 * beta[j]); // the overlap is normalised by |β|
        }
        a.trackDirection("teacher", "^w$", betaF);
        a.trackDirection("elsewhere", "^other$", betaF);
        DenseMatrix w = SyntheticMatrices.gaussian(100, 60, 10);
        double[] u = unit(100, 11);
        for (int i = 0; i < 100; i++) {
            for (int j = 0; j < 60; j++) {
                w.values()[i * 60 + j] += (float) (200 * u[i] * beta[j]);
            }
        }
        LayerReport r = analyze(a, snapshot(0, weight("w", w))).get(0);
        assertEquals(1.0, r.dynamics().directionOverlaps().get("teacher"), 0.01);
        assertEquals(List.of("teacher"), List.copyOf(r.dynamics().directionOverlaps().keySet()));
    }

    @Test
    void aLayerThatCannotBeReadIsReportedAndTheOthersAreAnalysed() {
        SnapshotAnalyzer a = analyzer(0);
        WeightTensor broken = new WeightTensor() {
            @Override
            public TensorInfo info() {
                return new TensorInfo("broken", new long[] {20, 20});
            }

            @Override
            public float[] values() throws IOException {
                throw new IOException("file vanished");
            }

            @Override
            public long heldBytes() {
                return 0;
            }
        };
        List<String> failures = new ArrayList<>();
        List<LayerReport> reports = a.analyze(snapshot(0, broken, weight("ok", SyntheticMatrices.gaussian(30, 20, 1))),
                (where, e) -> failures.add(where + ": " + e.getMessage()));
        assertEquals(List.of("analysing broken: file vanished"), failures);
        assertEquals(List.of("ok"), reports.stream().map(LayerReport::layer).toList());
    }

    @Test
    void whenThePreviousTensorIsGoneTheUpdateIsUnknownButTheRestIsThere() {
        SnapshotAnalyzer a = analyzer(0);
        DenseMatrix w = SyntheticMatrices.gaussian(40, 30, 12);
        int[] reads = new int[1];
        WeightTensor once = new WeightTensor() {
            @Override
            public TensorInfo info() {
                return new TensorInfo("w", new long[] {40, 30});
            }

            @Override
            public float[] values() throws IOException {
                if (reads[0]++ > 0) {
                    throw new IOException("rotated away");
                }
                return w.values();
            }

            @Override
            public long heldBytes() {
                return 0;
            }
        };
        analyze(a, snapshot(0, once));
        LayerReport r = analyze(a, snapshot(1, weight("w", SyntheticMatrices.gaussian(40, 30, 13)))).get(0);
        assertTrue(Double.isNaN(r.dynamics().update().normRatio()));
        assertTrue(r.dynamics().previous().agreement() < 0.5, "the vectors were kept in memory: agreement is known");
    }

    @Test
    void theInjectedEngineComputesTheSpectraAndTheUpdates() {
        CountingEngine engine = new CountingEngine(AutomaticEngine.withDefaults(0));
        SnapshotAnalyzer a = new SnapshotAnalyzer(engine, new SnapshotAnalyzer.Settings("m", LayerAnalyzer.Options.DEFAULT, 10, 0, 5));
        int layers = 2;
        int snapshots = 3;
        for (int step = 0; step < snapshots; step++) {
            List<LayerReport> reports = analyze(a, snapshot(step, weight("a", SyntheticMatrices.gaussian(30, 20, step)),
                    weight("b", SyntheticMatrices.gaussian(20, 30, 100 + step))));
            assertTrue(reports.get(0).report().engine().startsWith("counting("), reports.get(0).report().engine());
        }
        assertEquals(layers * snapshots, engine.spectra.get());
        assertEquals(layers * (snapshots - 1), engine.topTriplets.get());
    }
}
