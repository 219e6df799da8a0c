package io.specwatch.engine;

import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * All eigenvalues of WᵀW from the Gram matrix over the smaller dimension and LAPACK's symmetric
 * eigensolver. Several times faster than an SVD; the top of the spectrum matches an SVD to the
 * working precision.
 *
 * <ul>
 *   <li>float32: ND4J {@code gemm} + {@code syev}. The smallest eigenvalues of nearly singular
 *       matrices are resolved only to about 1e-7·λ_max.</li>
 *   <li>float64: OpenBLAS {@code dsyrk}, then LAPACK {@code dsytrd}, {@code dsterf} (all eigenvalues),
 *       and for vectors {@code dstemr} + {@code dormtr} (only the top k), called directly on Java arrays
 *       (no per-call ND4J overhead, which dominates for the small matrices of most layers). It can
 *       also return the top-k singular triplets: the Gram eigenvectors are the singular vectors of
 *       the smaller side, the other side is W·v/σ — accurate for the top of the spectrum.</li>
 * </ul>
 */
public final class GramEigenEngine implements SpectrumEngine {

    private final boolean float64;

    private GramEigenEngine(boolean float64) {
        this.float64 = float64;
    }

    /** Gram product and eigensolver in float32 (values only). */
    public static GramEigenEngine float32() {
        return new GramEigenEngine(false);
    }

    /** Gram product and eigensolver in float64 (values, and vectors on request). */
    public static GramEigenEngine float64() {
        return new GramEigenEngine(true);
    }

    @Override
    public String name() {
        return float64 ? "gram64" : "gram32";
    }

    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        if (float64) {
            return decompose64(matrix, request.vectors());
        }
        if (request.vectors() > 0) {
            throw new IllegalArgumentException("gram32 computes eigenvalues only; use gram64, the SVD or the randomized engine for vectors");
        }
        INDArray w = Nd4jLinearAlgebra.toArray(matrix, DataType.FLOAT);
        INDArray gram = Nd4jLinearAlgebra.gram(w);
        w.close();
        try {
            double[] eigenvalues = Nd4jLinearAlgebra.symmetricEigenvalues(gram);
            clamp(eigenvalues);
            return new Spectrum(eigenvalues, matrix.smaller(), null, name());
        } finally {
            gram.close();
        }
    }

    private Spectrum decompose64(DenseMatrix matrix, int requestedVectors) {
        int rows = matrix.rows();
        int cols = matrix.cols();
        boolean tall = rows >= cols;
        int n = Math.min(rows, cols);
        float[] source = matrix.values();
        double[] w = new double[source.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = source[i];
        }
        // The row-major W is the column-major Wᵀ (cols × rows, ld = cols).
        // tall: G = WᵀW = Wᵀ(Wᵀ)ᵀ (cols × cols); wide: G = WWᵀ = (Wᵀ)ᵀWᵀ (rows × rows). Upper triangle, column-major.
        double[] gram = new double[n * n];
        openblas.cblas_dsyrk(openblas.CblasColMajor, openblas.CblasUpper, tall ? openblas.CblasNoTrans : openblas.CblasTrans,
                n, tall ? rows : cols, 1.0, w, cols, 0.0, gram, n);
        int k = Math.min(requestedVectors, n);
        // Tridiagonalise once; all eigenvalues from the tridiagonal (dsterf), and only the top-k
        // eigenvectors (dstemr, then dormtr back to G's basis): the vectors cost O(n²k), not the O(n³)
        // of computing all of them.
        double[] d = new double[n];
        double[] e = new double[Math.max(1, n)];
        double[] tau = new double[Math.max(1, n - 1)];
        check(openblas.LAPACKE_dsytrd(openblas.LAPACK_COL_MAJOR, (byte) 'U', n, gram, n, d, e, tau), "dsytrd", rows, cols);
        double[] eigenvalues = d.clone();
        double[] offDiagonal = e.clone();
        check(openblas.LAPACKE_dsterf(n, eigenvalues, offDiagonal), "dsterf", rows, cols);
        clamp(eigenvalues);
        if (k == 0) {
            return new Spectrum(eigenvalues, n, null, name());
        }
        double[] w64 = new double[n]; // dstemr writes its selected eigenvalues into an array of length n
        double[] z = new double[n * k];
        int[] found = new int[1];
        int[] support = new int[2 * n];
        int[] tryRac = {1};
        check(openblas.LAPACKE_dstemr(openblas.LAPACK_COL_MAJOR, (byte) 'V', (byte) 'I', n, d, e, 0, 0, n - k + 1, n,
                found, w64, z, n, k, support, tryRac), "dstemr", rows, cols);
        if (found[0] != k) {
            throw new ArithmeticException("LAPACK dstemr found " + found[0] + " of " + k + " eigenvectors");
        }
        check(openblas.LAPACKE_dormtr(openblas.LAPACK_COL_MAJOR, (byte) 'L', (byte) 'U', (byte) 'N', n, k, gram, n, tau, z, n),
                "dormtr", rows, cols);
        double[] sigma = new double[k];
        float[][] small = new float[k][n];
        float[][] large = new float[k][tall ? rows : cols];
        for (int j = 0; j < k; j++) {
            int column = k - 1 - j; // dstemr returns ascending: the largest is last
            sigma[j] = Math.sqrt(eigenvalues[n - 1 - j]);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = z[column * n + i];
                small[j][i] = (float) v[i];
            }
            double scale = sigma[j] > 0 ? 1 / sigma[j] : 0;
            if (tall) {
                // u = W v / σ
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    int offset = r * cols;
                    for (int c = 0; c < cols; c++) {
                        s += w[offset + c] * v[c];
                    }
                    large[j][r] = (float) (s * scale);
                }
            } else {
                // v = Wᵀ u / σ
                double[] acc = new double[cols];
                for (int r = 0; r < rows; r++) {
                    double ur = v[r];
                    int offset = r * cols;
                    for (int c = 0; c < cols; c++) {
                        acc[c] += w[offset + c] * ur;
                    }
                }
                for (int c = 0; c < cols; c++) {
                    large[j][c] = (float) (acc[c] * scale);
                }
            }
        }
        SingularVectors vectors = tall ? new SingularVectors(sigma, large, small) : new SingularVectors(sigma, small, large);
        return new Spectrum(eigenvalues, n, vectors, name());
    }

    private static void check(int info, String routine, int rows, int cols) {
        if (info != 0) {
            throw new ArithmeticException("LAPACK " + routine + " failed for a " + rows + " x " + cols + " matrix (info " + info + ")");
        }
    }

    private static void clamp(double[] eigenvalues) {
        // round-off can make the smallest eigenvalues of a singular Gram matrix slightly negative
        for (int i = 0; i < eigenvalues.length; i++) {
            eigenvalues[i] = Math.max(0, eigenvalues[i]);
        }
    }
}
