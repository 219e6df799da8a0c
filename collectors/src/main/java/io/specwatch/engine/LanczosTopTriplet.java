package io.specwatch.engine;

import java.util.SplittableRandom;

/**
 * The largest singular triplet (σ₁, u₁, v₁) of a matrix by Golub–Kahan–Lanczos bidiagonalisation
 * with full reorthogonalisation, in plain Java: an engine for requests of the top triplet only.
 *
 * <p>The update spectrum needs only σ₁(ΔW) and v₁(ΔW) at every snapshot. A full decomposition costs
 * O(n³) and a trip through native code; this costs a few dozen matrix–vector products, converges at
 * the Lanczos rate even when σ₁ and σ₂ are close (Adam updates look random-like), and stops as soon
 * as the residual of the triplet is below the tolerance.
 */
public final class LanczosTopTriplet implements SpectrumEngine {

    /** Relative residual ‖Aᵀu − σv‖ / σ at which the iteration stops: σ₁ is then good to about its square (Ritz values converge quadratically). */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    private final double tolerance;
    private final long seed;

    /**
     * @param tolerance relative residual at which to stop
     * @param seed      seed of the random start vector
     */
    public LanczosTopTriplet(double tolerance, long seed) {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        this.tolerance = tolerance;
        this.seed = seed;
    }

    /** Default tolerance, fixed start vector. */
    public static LanczosTopTriplet withDefaults() {
        return new LanczosTopTriplet(DEFAULT_TOLERANCE, 0x5eed);
    }

    @Override
    public String name() {
        return "lanczos";
    }

    /** Serves requests for the top triplet only ({@code SpectrumRequest.topK(1)}). */
    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        if (request.allEigenvalues() || request.vectors() != 1) {
            throw new IllegalArgumentException("the Lanczos engine computes the top singular triplet only (topK(1))");
        }
        SingularVectors top = of(matrix, tolerance, seed);
        double s = top.singularValues()[0];
        return new Spectrum(new double[] {s * s}, matrix.smaller(), top, name());
    }

    /** The top triplet with the default tolerance and a fixed start vector. */
    public static SingularVectors of(DenseMatrix a) {
        return of(a, DEFAULT_TOLERANCE, 0x5eed);
    }

    /**
     * The top triplet of {@code a}.
     *
     * @param tolerance relative residual at which to stop (exact after min(rows, cols) steps in any case)
     * @param seed      seed of the random start vector
     * @throws IllegalArgumentException when the matrix holds non-finite values
     */
    public static SingularVectors of(DenseMatrix a, double tolerance, long seed) {
        if (a.nonFiniteCount() > 0) {
            throw new IllegalArgumentException("matrix holds non-finite values");
        }
        int m = a.rows();
        int n = a.cols();
        int maxSteps = Math.min(m, n);
        double[][] us = new double[maxSteps][];
        double[][] vs = new double[maxSteps + 1][];
        double[] alpha = new double[maxSteps];
        double[] beta = new double[maxSteps];
        // a wide matrix starts inside the row space, Aᵀr, so that min(rows, cols) steps span all of it
        vs[0] = n > m ? multiplyTransposed(a, randomUnit(m, seed)) : randomUnit(n, seed);
        double startNorm = norm(vs[0]);
        if (startNorm == 0) {
            return new SingularVectors(new double[] {0}, new float[][] {new float[m]}, new float[][] {new float[n]});
        }
        scale(vs[0], 1 / startNorm);
        double[] uPrevious = null;
        int k = 0;
        double[] top = null;
        while (k < maxSteps) {
            double[] u = multiply(a, vs[k]);
            if (uPrevious != null) {
                axpy(-beta[k - 1], uPrevious, u);
            }
            reorthogonalise(u, us, k);
            alpha[k] = norm(u);
            if (alpha[k] == 0) {
                break; // v_k lies in the null space: the Krylov space is invariant
            }
            scale(u, 1 / alpha[k]);
            us[k] = u;
            double[] v = multiplyTransposed(a, u);
            axpy(-alpha[k], vs[k], v);
            reorthogonalise(v, vs, k + 1);
            beta[k] = norm(v);
            k++;
            top = topOfBidiagonal(alpha, beta, k);
            double sigma = Math.sqrt(top[0]);
            // ‖Aᵀu − σv‖ = β_k |p_k|, where p is the top left singular vector of the bidiagonal B_k
            double residual = beta[k - 1] * Math.abs(leftComponent(alpha, beta, k, top, sigma));
            if (sigma == 0 || residual <= tolerance * sigma || beta[k - 1] == 0 || k == maxSteps) {
                break;
            }
            scale(v, 1 / beta[k - 1]);
            vs[k] = v;
            uPrevious = u;
        }
        if (k == 0 || top == null) {
            return new SingularVectors(new double[] {0}, new float[][] {new float[m]}, new float[][] {toFloat(vs[0])});
        }
        double sigma = Math.sqrt(Math.max(top[0], 0));
        // right vector v = V_k q, left vector u = U_k p with p = B q / σ
        double[] right = new double[n];
        double[] left = new double[m];
        for (int j = 0; j < k; j++) {
            axpy(top[1 + j], vs[j], right);
            double p = bq(alpha, beta, k, top, j) / (sigma == 0 ? 1 : sigma);
            axpy(p, us[j], left);
        }
        scale(right, 1 / norm(right));
        double leftNorm = norm(left);
        if (leftNorm > 0) {
            scale(left, 1 / leftNorm);
        }
        return new SingularVectors(new double[] {sigma}, new float[][] {toFloat(left)}, new float[][] {toFloat(right)});
    }

    /**
     * The largest eigenpair of T = B_kᵀ B_k (B upper bidiagonal: α on the diagonal, β above it),
     * by cyclic Jacobi on the small dense T: {λ, q_0 … q_{k−1}}.
     */
    static double[] topOfBidiagonal(double[] alpha, double[] beta, int k) {
        double[][] t = new double[k][k];
        for (int i = 0; i < k; i++) {
            // column i of B has α_i on the diagonal and β_{i−1} above it
            t[i][i] = alpha[i] * alpha[i] + (i > 0 ? beta[i - 1] * beta[i - 1] : 0);
            if (i + 1 < k) {
                t[i][i + 1] = alpha[i] * beta[i];
                t[i + 1][i] = t[i][i + 1];
            }
        }
        double[][] q = SymmetricJacobi.eigenvectors(t);
        int best = 0;
        for (int i = 1; i < k; i++) {
            if (t[i][i] > t[best][best]) {
                best = i;
            }
        }
        double[] out = new double[k + 1];
        out[0] = t[best][best];
        for (int j = 0; j < k; j++) {
            out[1 + j] = q[j][best];
        }
        return out;
    }

    /** (B q)_j for the bidiagonal B_k and the top eigenvector q of BᵀB. */
    private static double bq(double[] alpha, double[] beta, int k, double[] top, int j) {
        double value = alpha[j] * top[1 + j];
        if (j + 1 < k) {
            value += beta[j] * top[2 + j];
        }
        return value;
    }

    private static double leftComponent(double[] alpha, double[] beta, int k, double[] top, double sigma) {
        return sigma == 0 ? 0 : bq(alpha, beta, k, top, k - 1) / sigma;
    }

    private static double[] multiply(DenseMatrix a, double[] v) {
        int n = a.cols();
        float[] x = a.values();
        double[] out = new double[a.rows()];
        for (int i = 0; i < out.length; i++) {
            int row = i * n;
            double s0 = 0;
            double s1 = 0;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                s0 += x[row + j] * v[j];
                s1 += x[row + j + 1] * v[j + 1];
            }
            if (j < n) {
                s0 += x[row + j] * v[j];
            }
            out[i] = s0 + s1;
        }
        return out;
    }

    private static double[] multiplyTransposed(DenseMatrix a, double[] u) {
        int n = a.cols();
        float[] x = a.values();
        double[] out = new double[n];
        for (int i = 0; i < a.rows(); i++) {
            double ui = u[i];
            int row = i * n;
            for (int j = 0; j < n; j++) {
                out[j] += ui * x[row + j];
            }
        }
        return out;
    }

    /** Two passes of classical Gram–Schmidt against basis[0..count): enough for working precision. */
    private static void reorthogonalise(double[] x, double[][] basis, int count) {
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < count; j++) {
                axpy(-dot(basis[j], x), basis[j], x);
            }
        }
    }

    private static double[] randomUnit(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(-1, 1);
        }
        scale(v, 1 / norm(v));
        return v;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void axpy(double factor, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += factor * x[i];
        }
    }

    private static void scale(double[] x, double factor) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }
}
