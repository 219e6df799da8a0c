package io.specwatch.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrices with known spectra, for benchmarks and demos: Gaussian (a Marchenko–Pastur bulk), and
 * U·diag(σ)·Vᵀ with Haar-random U, V and chosen singular values, such as a power-law ESD like
 * trained weights'. Deterministic for a seed.
 */
public final class SyntheticMatrices {

    private SyntheticMatrices() {
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

    /** Gaussian N(0, 1) plus {@code strength}·u·vᵀ with random unit u, v: one spike beyond the bulk when strength exceeds (N·M)^¼. */
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
        return noise;
    }

    private static double[] unitVector(int n, long seed) {
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

    /**
     * Singular values whose squares are a Pareto sample with pdf exponent {@code alpha} (xmin 1),
     * largest first: the ESD of a trained layer in heavy-tailed self-regularisation theory.
     */
    public static double[] powerLawSingularValues(int count, double alpha, long seed) {
        double[] lambda = paretoSample(count, alpha, seed);
        Arrays.sort(lambda);
        double[] sigma = new double[count];
        for (int i = 0; i < count; i++) {
            sigma[i] = Math.sqrt(lambda[count - 1 - i]);
        }
        return sigma;
    }

    /** n samples of a continuous power law with pdf ∝ x^-alpha for x ≥ 1 (by inversion), in draw order. */
    public static double[] paretoSample(int n, double alpha, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.pow(1 - random.nextDouble(), -1 / (alpha - 1));
        }
        return x;
    }

    /** U·diag(σ)·Vᵀ with orthonormal U (rows × M) and V (cols × M) from QR factorisations of Gaussian matrices. */
    public static DenseMatrix withSingularValues(int rows, int cols, double[] singularValues, long seed) {
        int m = Math.min(rows, cols);
        if (singularValues.length != m) {
            throw new IllegalArgumentException("need " + m + " singular values, got " + singularValues.length);
        }
        INDArray u = orthonormal(rows, m, seed);
        INDArray v = orthonormal(cols, m, seed + 1);
        float[] s = new float[m];
        for (int i = 0; i < m; i++) {
            s[i] = (float) singularValues[i];
        }
        INDArray scaled = u.mulRowVector(Nd4j.create(s));
        INDArray w = Nd4j.gemm(scaled, v, false, true);
        float[] values = w.dup('c').data().asFloat();
        u.close();
        v.close();
        scaled.close();
        w.close();
        return new DenseMatrix(rows, cols, values);
    }

    /** A power-law (pdf exponent {@code alpha}) ESD matrix: the benchmark's stand-in for trained weights. */
    public static DenseMatrix powerLaw(int rows, int cols, double alpha, long seed) {
        return withSingularValues(rows, cols, powerLawSingularValues(Math.min(rows, cols), alpha, seed), seed + 7);
    }

    private static INDArray orthonormal(int rows, int cols, long seed) {
        DenseMatrix g = gaussian(rows, cols, seed);
        INDArray a = Nd4jLinearAlgebra.toArray(g, DataType.FLOAT);
        INDArray q = Nd4jLinearAlgebra.orthonormalColumns(a);
        a.close();
        return q;
    }
}
