package io.specwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.specwatch.TestMatrices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every engine against the float64 LAPACK SVD of the same float32 matrix. */
class SpectrumEngineAccuracyTest {

    private static double[] reference(DenseMatrix m) {
        return LapackSvdEngine.float64().decompose(m, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"300, 200", "200, 300", "257, 257"})
    void gramFloat32MatchesTopOfSpectrumToFloat32Rounding(int rows, int cols) {
        DenseMatrix m = SyntheticMatrices.gaussian(rows, cols, 11);
        double[] ref = reference(m);
        double[] gram = GramEigenEngine.float32().decompose(m, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
        assertEquals(ref.length, gram.length);
        double lambdaMax = ref[ref.length - 1];
        for (int i = 0; i < ref.length; i++) {
            // float32 Gram: absolute error bounded by a few ulp of λ_max, relative on the top
            assertEquals(ref[i], gram[i], 2e-5 * lambdaMax, "eigenvalue " + i);
        }
        for (int i = ref.length - 10; i < ref.length; i++) {
            assertEquals(ref[i], gram[i], 1e-5 * ref[i], "top eigenvalue " + i);
        }
    }

    @Test
    void gramFloat64MatchesEveryEigenvalueIncludingTheSmallest() {
        DenseMatrix m = SyntheticMatrices.gaussian(400, 400, 12); // square: smallest σ near 0
        double[] ref = reference(m);
        double[] gram = GramEigenEngine.float64().decompose(m, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
        double lambdaMax = ref[ref.length - 1];
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], gram[i], 1e-12 * lambdaMax, "eigenvalue " + i);
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"180, 120", "120, 180"})
    void gramFloat64TopVectorsMatchTheSvdUpToSign(int rows, int cols) {
        DenseMatrix m = TestMatrices.withSingularValues(rows, cols, SyntheticMatrices.powerLawSingularValues(Math.min(rows, cols), 3, 40), 41);
        SingularVectors gram = GramEigenEngine.float64().decompose(m, new SpectrumRequest(true, 6)).vectors();
        SingularVectors svd = LapackSvdEngine.float64().decompose(m, new SpectrumRequest(true, 6)).vectors();
        for (int j = 0; j < 6; j++) {
            assertEquals(svd.singularValues()[j], gram.singularValues()[j], 1e-9 * svd.singularValues()[0]);
            assertEquals(1.0, Math.abs(dot(gram.left()[j], svd.left()[j])), 1e-4, "u_" + j);
            assertEquals(1.0, Math.abs(dot(gram.right()[j], svd.right()[j])), 1e-4, "v_" + j);
        }
    }

    @Test
    void svdFloat32ReturnsOrthonormalVectorsThatReconstructTheTopTriplets() {
        DenseMatrix m = SyntheticMatrices.plantedSpike(120, 80, 40, 13);
        Spectrum s = LapackSvdEngine.float32().decompose(m, new SpectrumRequest(true, 5));
        double[] ref = reference(m);
        SingularVectors v = s.vectors();
        assertEquals(5, v.count());
        for (int j = 0; j < 5; j++) {
            assertEquals(Math.sqrt(ref[ref.length - 1 - j]), v.singularValues()[j], 1e-5 * v.singularValues()[0]);
            // W v_j = σ_j u_j
            double[] wv = times(m, v.right()[j]);
            for (int i = 0; i < m.rows(); i++) {
                assertEquals(v.singularValues()[j] * v.left()[j][i], wv[i], 1e-4 * v.singularValues()[0]);
            }
            assertEquals(1.0, dot(v.left()[j], v.left()[j]), 1e-5);
            assertEquals(1.0, dot(v.right()[j], v.right()[j]), 1e-5);
        }
    }

    @Test
    void randomizedTopKIsAccurateOnPowerLawSpectra() {
        int rows = 1024;
        int cols = 768;
        double[] sigma = SyntheticMatrices.powerLawSingularValues(cols, 3.0, 21);
        DenseMatrix m = TestMatrices.withSingularValues(rows, cols, sigma, 22);
        double[] ref = reference(m);
        int k = 32;
        Spectrum s = RandomizedSvdEngine.withDefaults(5).decompose(m, SpectrumRequest.topK(k));
        assertEquals(k, s.vectors().count());
        for (int j = 0; j < k; j++) {
            double exact = Math.sqrt(ref[ref.length - 1 - j]);
            double approx = s.vectors().singularValues()[j];
            assertEquals(exact, approx, 1e-3 * exact, "sigma_" + (j + 1));
            assertTrue(approx <= exact * (1 + 1e-6), "Ritz values never exceed the true ones");
        }
        // top vector: W v1 = σ1 u1
        double[] wv = times(m, s.vectors().right()[0]);
        double s1 = s.vectors().singularValues()[0];
        for (int i = 0; i < rows; i++) {
            assertEquals(s1 * s.vectors().left()[0][i], wv[i], 1e-3 * s1);
        }
    }

    @Test
    void randomizedIsDeterministicForASeed() {
        DenseMatrix m = SyntheticMatrices.gaussian(300, 200, 30);
        double[] a = RandomizedSvdEngine.withDefaults(7).decompose(m, SpectrumRequest.topK(8)).eigenvalues();
        double[] b = RandomizedSvdEngine.withDefaults(7).decompose(m, SpectrumRequest.topK(8)).eigenvalues();
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    }

    static double[] times(DenseMatrix m, float[] x) {
        double[] y = new double[m.rows()];
        for (int i = 0; i < m.rows(); i++) {
            double s = 0;
            for (int j = 0; j < m.cols(); j++) {
                s += (double) m.values()[i * m.cols() + j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
