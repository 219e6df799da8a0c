package io.specwatch.analysis;

import java.util.List;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SyntheticMatrices;

/** Layer reports of synthetic snapshots, made by the real analyzer (tests only). */
public final class TestReports {

    private TestReports() {
    }

    /** Two snapshots (steps 0 and 10) of a 3-layer model whose first two layers chain; the reports of the second. */
    public static List<LayerReport> twoSnapshots(String model) {
        SnapshotAnalyzer a = new SnapshotAnalyzer(AutomaticEngine.withDefaults(0),
                new SnapshotAnalyzer.Settings(model, LayerAnalyzer.Options.DEFAULT, 10, 1, 5));
        a.trackDirection("beta", "^fc1$", new float[32]);
        a.analyze(snapshot(0, 0), (w, e) -> {
            throw new AssertionError(w, e);
        });
        return a.analyze(snapshot(10, 1), (w, e) -> {
            throw new AssertionError(w, e);
        });
    }

    static WeightSnapshot snapshot(long step, long seed) {
        DenseMatrix fc1 = SyntheticMatrices.powerLaw(64, 32, 3, 10 + seed);
        DenseMatrix fc2 = SyntheticMatrices.gaussian(16, 64, 20 + seed);
        DenseMatrix tiny = SyntheticMatrices.gaussian(8, 4, 30 + seed);
        return new WeightSnapshot(step, 1_700_000_000_000L + step, List.of(w("fc1", fc1), w("fc2", fc2), w("tiny", tiny)));
    }

    private static WeightSnapshot.Weight w(String name, DenseMatrix m) {
        return new WeightSnapshot.Weight(name, new long[] {m.rows(), m.cols()}, m.values());
    }
}
