package io.specwatch;

import java.util.SplittableRandom;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.SpectrumRequest;

/** Random matrices with known spectral properties, for tests. Deterministic given the seed. */
public final class TestMatrices {

    private TestMatrices() {
    }

    /** i.i.d. N(0, 1) entries. */
    public static DenseMatrix gaussian(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new DenseMatrix(rows, cols, values);
    }

    /** Gaussian N(0, 1) plus strength · u vᵀ with unit random u, v. */
    public static DenseMatrix plantedSpike(int rows, int cols, double strength, long seed) {
        DenseMatrix noise = gaussian(rows, cols, seed);
        double[] u = unitVector(rows, seed + 1);
        double[] v = unitVector(cols, seed + 2);
        float[] values = noise.values();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                values[i * cols + j] += (float) (strength * u[i] * v[j]);
            }
        }
        return new DenseMatrix(rows, cols, values);
    }

    /**
     * U diag(σ) Vᵀ with Haar-random orthonormal U, V (the left/right singular vectors of Gaussian
     * matrices) and the given singular values (length min(rows, cols)).
     */
    public static DenseMatrix withSingularValues(int rows, int cols, double[] singularValues, long seed) {
        int k = Math.min(rows, cols);
        var basis = LapackSvdEngine.float64().decompose(gaussian(rows, cols, seed), new SpectrumRequest(true, k)).vectors();
        float[] values = new float[rows * cols];
        for (int j = 0; j < k; j++) {
            float[] u = basis.left()[j];
            float[] v = basis.right()[j];
            double s = singularValues[j];
            for (int r = 0; r < rows; r++) {
                double su = s * u[r];
                int offset = r * cols;
                for (int c = 0; c < cols; c++) {
                    values[offset + c] += (float) (su * v[c]);
                }
            }
        }
        return new DenseMatrix(rows, cols, values);
    }

    /**
     * Singular values whose squares are a sorted Pareto sample with pdf exponent alpha (xmin 1),
     * largest first: the heavy-tailed ESD of a trained layer.
     */
    public static double[] powerLawSingularValues(int count, double alpha, long seed) {
        double[] lambda = paretoSample(count, alpha, seed);
        java.util.Arrays.sort(lambda);
        double[] sigma = new double[count];
        for (int i = 0; i < count; i++) {
            sigma[i] = Math.sqrt(lambda[count - 1 - i]);
        }
        return sigma;
    }

    /** n samples of a continuous power law with pdf ∝ x^-alpha for x ≥ 1, by inversion. */
    public static double[] paretoSample(int n, double alpha, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double u = 1 - random.nextDouble(); // (0, 1]
            x[i] = Math.pow(u, -1 / (alpha - 1));
        }
        return x;
    }

    static double[] unitVector(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
            norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < n; i++) {
            v[i] /= norm;
        }
        return v;
    }
}
