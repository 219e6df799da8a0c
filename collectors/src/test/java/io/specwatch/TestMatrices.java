package io.specwatch;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.engine.SyntheticMatrices;

/**
 * Test matrices with chosen singular values, built from the singular vectors of a float64 SVD:
 * independent of {@link SyntheticMatrices#withSingularValues}, which uses QR. Random inputs
 * (Gaussian, planted spikes, Pareto samples) come from {@link SyntheticMatrices}.
 */
public final class TestMatrices {

    private TestMatrices() {
    }

    /**
     * U diag(σ) Vᵀ with Haar-random orthonormal U, V (the left/right singular vectors of Gaussian
     * matrices) and the given singular values (length min(rows, cols)).
     */
    public static DenseMatrix withSingularValues(int rows, int cols, double[] singularValues, long seed) {
        int k = Math.min(rows, cols);
        var basis = LapackSvdEngine.float64().decompose(SyntheticMatrices.gaussian(rows, cols, seed), new SpectrumRequest(true, k)).vectors();
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
}
