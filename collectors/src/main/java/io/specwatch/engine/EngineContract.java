package io.specwatch.engine;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The contract every {@link SpectrumEngine} meets, as checks on matrices whose singular values and
 * vectors are known analytically: W = H_U·diag(σ)·H_V with Householder reflections
 * H = I − 2hhᵀ (orthogonal, dense), so the expected values come from the construction, not from
 * another engine. The unit tests run the checks against the CPU engines; the GPU check
 * ({@code bench/gpu-check.sh}) runs them against the CUDA engine on a GPU, where neither JUnit nor
 * ND4J is present: plain Java, failures are {@link AssertionError}s with a message.
 *
 * <p>What the contract says ({@link Spectrum}, {@link SingularVectors}):
 * <ul>
 *   <li>eigenvalues of WᵀW, ascending, on the raw scale (σ², not normalised by N), all M of them
 *       when the request asks for the full ESD, never negative;</li>
 *   <li>top-k triplets largest first: σ₁ ≥ σ₂ ≥ …, unit vectors with W·v = σ·u, u of length rows,
 *       v of length cols, whatever the shape (tall, wide, square);</li>
 *   <li>{@code topK(k)} requests return at least the k largest eigenvalues (ascending) and k triplets;
 *       {@code topK(1)} (the update spectrum ΔW) one.</li>
 * </ul>
 */
public final class EngineContract {

    /** What is asked of the engine. */
    public enum Check {
        /** The full ESD, no vectors ({@code specwatch analyze}). */
        VALUES,
        /** The full ESD and the top 6 triplets (the monitor's snapshots). */
        VALUES_AND_VECTORS,
        /** The top 6 triplets only. */
        TOP_K,
        /** The top triplet only (ΔW). */
        TOP_TRIPLET
    }

    /** Triplets asked for by {@link Check#VALUES_AND_VECTORS} and {@link Check#TOP_K}. */
    public static final int K = 6;

    /**
     * How close an engine must come.
     *
     * @param topRelative     relative error of the 10 largest eigenvalues (and of σ of the triplets)
     * @param bulkAbsolute    error of every eigenvalue, relative to λ_max
     * @param vectorAlignment 1 − |⟨u, u_true⟩| (and the same for v) at most this
     */
    public record Tolerances(double topRelative, double bulkAbsolute, double vectorAlignment) {
        /** What a Gram or SVD engine reaches in float32 (docs/benchmarks.md). */
        public static final Tolerances EXACT = new Tolerances(1e-5, 2e-5, 1e-4);
    }

    /** A matrix shape. */
    public record Shape(int rows, int cols) {
        @Override
        public String toString() {
            return rows + "x" + cols;
        }
    }

    /** Tall, wide, square, and very thin both ways. */
    public static final List<Shape> SHAPES = List.of(new Shape(300, 200), new Shape(200, 300), new Shape(257, 257),
            new Shape(1000, 24), new Shape(24, 1000));

    /**
     * A matrix with known singular triplets.
     *
     * @param matrix the float32 matrix
     * @param sigma  its singular values, descending (of the float64 construction; float32 rounding moves them by ~1e-7 relative)
     * @param left   the first {@link #K} left singular vectors
     * @param right  the first {@link #K} right singular vectors
     */
    public record Known(DenseMatrix matrix, double[] sigma, double[][] left, double[][] right) {
    }

    private EngineContract() {
    }

    /**
     * W = (I − 2aaᵀ)·D·(I − 2bbᵀ), D = diag(σ) (rows × cols), σ_j = 10·(j + 1)^−0.7: distinct, with
     * clear gaps at the top, and a smallest eigenvalue about 1e-5·λ_max (the float32 resolution).
     */
    public static Known known(Shape shape, long seed) {
        int rows = shape.rows();
        int cols = shape.cols();
        int m = Math.min(rows, cols);
        double[] a = unit(rows, seed);
        double[] b = unit(cols, seed + 1);
        double[] sigma = new double[m];
        double s = 0;
        for (int l = 0; l < m; l++) {
            sigma[l] = 10 * Math.pow(l + 1, -0.7);
            s += a[l] * sigma[l] * b[l];
        }
        // W_ij = [i = j < m] σ_i − 2 σ_i b_i b_j [i < m] − 2 a_i a_j σ_j [j < m] + 4 a_i b_j Σ_l a_l σ_l b_l
        float[] values = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double w = 4 * a[i] * b[j] * s;
                if (i < m) {
                    w -= 2 * sigma[i] * b[i] * b[j];
                }
                if (j < m) {
                    w -= 2 * a[i] * a[j] * sigma[j];
                }
                if (i == j) {
                    w += sigma[i];
                }
                values[i * cols + j] = (float) w;
            }
        }
        int k = Math.min(K, m);
        double[][] left = new double[k][];
        double[][] right = new double[k][];
        for (int j = 0; j < k; j++) {
            left[j] = reflectedBasisVector(a, j);
            right[j] = reflectedBasisVector(b, j);
        }
        return new Known(new DenseMatrix(rows, cols, values), sigma, left, right);
    }

    /** Runs one check; an {@link AssertionError} says what failed. */
    public static void check(Check check, SpectrumEngine engine, Shape shape, Tolerances tolerances) {
        Known known = known(shape, 31L * shape.rows() + shape.cols());
        int m = known.sigma().length;
        SpectrumRequest request = switch (check) {
            case VALUES -> SpectrumRequest.eigenvaluesOnly();
            case VALUES_AND_VECTORS -> new SpectrumRequest(true, K);
            case TOP_K -> SpectrumRequest.topK(K);
            case TOP_TRIPLET -> SpectrumRequest.topK(1);
        };
        Spectrum spectrum = engine.decompose(known.matrix(), request);
        String where = engine.name() + " " + check + " " + shape + ": ";
        require(spectrum.expectedCount() == m, where + "expectedCount " + spectrum.expectedCount() + ", not M = " + m);
        double[] values = spectrum.eigenvalues();
        if (request.allEigenvalues()) {
            require(spectrum.complete() && values.length == m, where + values.length + " eigenvalues for a full-ESD request, not " + m);
        } else {
            require(values.length >= Math.min(request.vectors(), m), where + "only " + values.length + " eigenvalues for " + request.vectors() + " triplets");
        }
        checkEigenvalues(where, values, known.sigma(), request.allEigenvalues(), tolerances);
        int wanted = Math.min(request.vectors(), m);
        if (wanted == 0) {
            require(spectrum.vectors() == null, where + "vectors returned for a values-only request");
            return;
        }
        require(spectrum.vectors() != null, where + "no vectors");
        checkVectors(where, spectrum.vectors(), known, wanted, tolerances);
    }

    private static void checkEigenvalues(String where, double[] values, double[] sigma, boolean all, Tolerances t) {
        double lambdaMax = sigma[0] * sigma[0];
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0)) {
                throw new AssertionError(where + "eigenvalue " + values[i] + " at " + i);
            }
            if (i > 0 && values[i] < values[i - 1]) {
                throw new AssertionError(where + "not ascending at " + i + ": " + values[i - 1] + " then " + values[i]);
            }
        }
        // values[values.length − 1 − j] is the (j + 1)-th largest
        for (int j = 0; j < values.length; j++) {
            double expected = sigma[j] * sigma[j];
            double got = values[values.length - 1 - j];
            double error = Math.abs(got - expected);
            if (j < 10 && !(error <= t.topRelative() * expected)) {
                throw new AssertionError(where + String.format(Locale.ROOT, "eigenvalue #%d is %.9g, expected %.9g (relative error %.2g > %.1g)",
                        j + 1, got, expected, error / expected, t.topRelative()));
            }
            if (all && !(error <= t.bulkAbsolute() * lambdaMax)) {
                throw new AssertionError(where + String.format(Locale.ROOT, "eigenvalue #%d is %.9g, expected %.9g (error %.2g·λ_max > %.1g)",
                        j + 1, got, expected, error / lambdaMax, t.bulkAbsolute()));
            }
        }
    }

    private static void checkVectors(String where, SingularVectors v, Known known, int wanted, Tolerances t) {
        DenseMatrix w = known.matrix();
        require(v.count() == wanted, where + v.count() + " triplets, not " + wanted);
        for (int j = 0; j < wanted; j++) {
            double s = v.singularValues()[j];
            require(j == 0 || s <= v.singularValues()[j - 1], where + "singular values not largest first at " + j);
            double expected = known.sigma()[j];
            require(Math.abs(s - expected) <= t.topRelative() * expected, where + String.format(Locale.ROOT,
                    "sigma_%d is %.9g, expected %.9g", j + 1, s, expected));
            float[] u = v.left()[j];
            float[] r = v.right()[j];
            require(u.length == w.rows() && r.length == w.cols(), where + "vector lengths " + u.length + ", " + r.length
                    + " for a " + w.rows() + " x " + w.cols() + " matrix");
            require(Math.abs(norm(u) - 1) <= 1e-4 && Math.abs(norm(r) - 1) <= 1e-4, where + "vectors of triplet " + (j + 1) + " are not unit vectors");
            require(1 - Math.abs(dot(u, known.left()[j])) <= t.vectorAlignment(), where + "u_" + (j + 1) + " is not the left singular vector");
            require(1 - Math.abs(dot(r, known.right()[j])) <= t.vectorAlignment(), where + "v_" + (j + 1) + " is not the right singular vector");
            // W v = σ u, with the signs the engine chose
            double residual = 0;
            for (int i = 0; i < w.rows(); i++) {
                double wv = 0;
                for (int c = 0; c < w.cols(); c++) {
                    wv += (double) w.values()[i * w.cols() + c] * r[c];
                }
                double d = wv - s * u[i];
                residual += d * d;
            }
            require(Math.sqrt(residual) <= 1e-3 * known.sigma()[0], where + "W v_" + (j + 1) + " != sigma u_" + (j + 1)
                    + " (residual " + Math.sqrt(residual) + ")");
        }
    }

    /** Column j of I − 2hhᵀ. */
    private static double[] reflectedBasisVector(double[] h, int j) {
        double[] e = new double[h.length];
        for (int i = 0; i < h.length; i++) {
            e[i] = -2 * h[i] * h[j];
        }
        e[j] += 1;
        return e;
    }

    // its own copy of SyntheticMatrices.unitVector: that class loads ND4J, which the GPU path must not need (GpuCheckTest)
    private static double[] unit(int n, long seed) {
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

    private static double norm(float[] x) {
        double s = 0;
        for (float f : x) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    private static double dot(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
