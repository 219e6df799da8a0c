package io.specwatch.engine;

import org.bytedeco.javacpp.DoublePointer;
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
    public boolean computesVectors() {
        return float64;
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
        double[] gram = gram64(source, rows, cols);
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
                        s += source[offset + c] * v[c];
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
                        acc[c] += source[offset + c] * ur;
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

    /** Doubles per block of W converted for {@code dsyrk}: 8 MiB. */
    static final int BLOCK_ELEMENTS = 1 << 20;

    /**
     * The Gram matrix over the smaller dimension in float64 (upper triangle, column-major), summed
     * over blocks of W: W is never copied whole to float64 (8·N·M bytes, 400 MB for an embedding
     * of 50257 × 768), only one block of about {@link #BLOCK_ELEMENTS} at a time, and the blocks
     * and the Gram matrix stay in native memory across the {@code dsyrk} calls (a Java array would
     * be copied in and out by JNI on every call).
     */
    static double[] gram64(float[] source, int rows, int cols) {
        return gram64(source, rows, cols, BLOCK_ELEMENTS);
    }

    /** As {@link #gram64(float[], int, int)}, with blocks of about {@code blockElements} (tests). */
    static double[] gram64(float[] source, int rows, int cols, int blockElements) {
        boolean tall = rows >= cols;
        int n = Math.min(rows, cols);
        int length = tall ? rows : cols; // the dimension summed over
        int width = Math.max(1, Math.min(length, blockElements / n));
        try (DoublePointer gram = new DoublePointer((long) n * n); DoublePointer block = new DoublePointer((long) width * n)) {
            double[] buffer = new double[width * n];
            for (int start = 0; start < length; start += width) {
                int b = Math.min(width, length - start);
                if (tall) {
                    // rows start..start+b of the row-major W: the column-major (cols × b) block A of Wᵀ, so that G += AAᵀ
                    int offset = start * cols;
                    for (int i = 0; i < b * cols; i++) {
                        buffer[i] = source[offset + i];
                    }
                } else {
                    // columns start..start+b of W, stored column-major as a (b × rows) matrix A, so that G += AᵀA
                    for (int r = 0; r < rows; r++) {
                        int from = r * cols + start;
                        int to = r * b;
                        for (int c = 0; c < b; c++) {
                            buffer[to + c] = source[from + c];
                        }
                    }
                }
                block.put(buffer, 0, b * n);
                openblas.cblas_dsyrk(openblas.CblasColMajor, openblas.CblasUpper, tall ? openblas.CblasNoTrans : openblas.CblasTrans,
                        n, b, 1.0, block, tall ? cols : b, start == 0 ? 0.0 : 1.0, gram, n);
            }
            double[] out = new double[n * n];
            gram.get(out);
            return out;
        }
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
