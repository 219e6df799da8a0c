package io.specwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Lanczos top triplet against the float64 LAPACK SVD of the same matrix. */
class LanczosTopTripletTest {

    @ParameterizedTest(name = "{0} x {1}, {2}")
    @CsvSource({"300, 200, gaussian", "200, 300, gaussian", "256, 256, gaussian", "256, 128, spike",
            "10, 256, gaussian", "256, 10, spike", "1, 40, gaussian", "40, 1, gaussian"})
    void matchesTheSvdTopTriplet(int rows, int cols, String kind) {
        DenseMatrix m = kind.equals("spike") ? SyntheticMatrices.plantedSpike(rows, cols, 3 * Math.sqrt(Math.max(rows, cols)), 5)
                : SyntheticMatrices.gaussian(rows, cols, 7);
        SingularVectors svd = LapackSvdEngine.float64().decompose(m, new SpectrumRequest(true, Math.min(2, Math.min(rows, cols)))).vectors();
        SingularVectors top = LanczosTopTriplet.of(m);
        double sigma = svd.singularValues()[0];
        assertEquals(sigma, top.singularValues()[0], 1e-6 * sigma, "σ₁");
        // a Gaussian matrix's σ₁ and σ₂ are close, so the vectors are only as accurate as that gap allows
        double gap = svd.count() > 1 ? (sigma - svd.singularValues()[1]) / sigma : 1;
        double vectorTolerance = Math.min(1e-2, 1e-5 / (gap * gap) + 1e-5);
        assertEquals(1.0, Math.abs(dot(top.right()[0], svd.right()[0])), vectorTolerance, "v₁");
        assertEquals(1.0, Math.abs(dot(top.left()[0], svd.left()[0])), vectorTolerance, "u₁");
        assertEquals(1.0, dot(top.right()[0], top.right()[0]), 1e-6);
    }

    @Test
    void rankOneMatrixIsExactAfterOneStep() {
        int rows = 50;
        int cols = 30;
        float[] values = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                values[i * cols + j] = (float) ((i + 1) * Math.cos(j));
            }
        }
        SingularVectors top = LanczosTopTriplet.of(new DenseMatrix(rows, cols, values));
        double uNorm = 0;
        double vNorm = 0;
        for (int i = 1; i <= rows; i++) {
            uNorm += (double) i * i;
        }
        for (int j = 0; j < cols; j++) {
            vNorm += Math.cos(j) * Math.cos(j);
        }
        assertEquals(Math.sqrt(uNorm * vNorm), top.singularValues()[0], 1e-5 * Math.sqrt(uNorm * vNorm));
        assertEquals(Math.cos(3) / Math.sqrt(vNorm), Math.signum(top.right()[0][0]) * top.right()[0][3], 1e-6);
    }

    @Test
    void zeroMatrixHasZeroSingularValue() {
        SingularVectors top = LanczosTopTriplet.of(new DenseMatrix(4, 3, new float[12]));
        assertEquals(0.0, top.singularValues()[0]);
        assertEquals(3, top.right()[0].length);
        assertEquals(4, top.left()[0].length);
    }

    @Test
    void nonFiniteValuesAreRejected() {
        float[] values = new float[6];
        values[2] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LanczosTopTriplet.of(new DenseMatrix(2, 3, values)));
        assertTrue(e.getMessage().contains("non-finite"));
    }

    @Test
    void jacobiDiagonalisesASymmetricMatrix() {
        double[][] a = {{4, 1, 2}, {1, 3, 0.5}, {2, 0.5, 1}};
        double[][] original = {{4, 1, 2}, {1, 3, 0.5}, {2, 0.5, 1}};
        double[][] q = SymmetricJacobi.eigenvectors(a);
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < 3; i++) {
                double av = 0;
                for (int k = 0; k < 3; k++) {
                    av += original[i][k] * q[k][j];
                }
                assertEquals(a[j][j] * q[i][j], av, 1e-12, "A q = λ q");
            }
        }
        assertEquals(8.0, a[0][0] + a[1][1] + a[2][2], 1e-12, "trace");
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
