package io.specwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import io.specwatch.PythonEnv;
import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.analysis.MatrixReport;
import io.specwatch.tensorfile.Checkpoint;
import io.specwatch.tensorfile.TensorEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers WeightWatcher 0.7.5 reports for a matrix NumPy generates, against ours for the same
 * matrix. The reference values are WeightWatcher's own output (issue 13): MP soft rank 1.025 and
 * σ_MP 0.998 for {@code numpy.random.default_rng(0).standard_normal((1000, 500))}.
 */
class WeightWatcherParityTest {

    @TempDir
    Path dir;

    @Test
    void theMarchenkoPasturFitOfAGaussianMatrixIsWeightWatchers() throws Exception {
        Path file = dir.resolve("w.npy");
        PythonEnv.runOrFail("import numpy, sys\nnumpy.save(sys.argv[1], numpy.random.default_rng(0).standard_normal((1000, 500)))\n",
                dir, 120, file.toString());
        assertEquals(true, Files.size(file) > 4_000_000);
        MatrixReport r;
        try (Checkpoint c = Checkpoint.open(file)) {
            TensorEntry e = c.entries().get(0);
            r = LayerAnalyzer.withDefaults().analyze("w", e.shape(), c.readFloats(e));
        }
        assertEquals(1.025, r.mp().softRank(), 0.0005);
        assertEquals(0.998, r.mp().sigma(), 0.0005);
        assertEquals(0, r.mp().spikes());
    }

    @Test
    void nelderMeadFindsTheMinimumScipysFminFinds() {
        // (x − 3)² from 1: SciPy's fmin stops within its 1e-4 tolerances of 3
        assertEquals(3.0, NelderMead.minimise(x -> (x - 3) * (x - 3), 1.0), 1e-3);
        // a start at the minimum stays there
        assertEquals(2.0, NelderMead.minimise(x -> Math.abs(x - 2), 2.0), 1e-12);
        // never worse than the start, even on a step function
        double start = 5;
        double end = NelderMead.minimise(x -> x < 4.9 ? 100 : 1, start);
        assertEquals(1, end < 4.9 ? 100 : 1);
    }
}
