package io.specwatch.engine;

import org.bytedeco.openblas.global.openblas;

/**
 * Exact singular value decomposition with LAPACK {@code gesvd} (OpenBLAS, the library ND4J is
 * built on), in float32 or float64, with thin singular vectors when they are requested.
 *
 * <p>Called through the OpenBLAS preset rather than ND4J's {@code Lapack.gesvd}, which can only
 * return full square U and Vᵀ (a 4096 × 11008 matrix would need a 485 MB Vᵀ for 10 vectors).
 * The row-major matrix is handed to LAPACK as its column-major transpose, so no transposed copy is
 * made: the SVD of Wᵀ is V Σ Uᵀ.
 */
public final class LapackSvdEngine implements SpectrumEngine {

    private final boolean float64;

    private LapackSvdEngine(boolean float64) {
        this.float64 = float64;
    }

    public static LapackSvdEngine float32() {
        return new LapackSvdEngine(false);
    }

    /** The float64 SVD: the reference the other engines are checked against. */
    public static LapackSvdEngine float64() {
        return new LapackSvdEngine(true);
    }

    @Override
    public String name() {
        return float64 ? "svd64" : "svd32";
    }

    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        int rows = matrix.rows();
        int cols = matrix.cols();
        int k = matrix.smaller();
        int vectors = Math.min(request.vectors(), k);
        byte job = (byte) (vectors > 0 ? 'S' : 'N');
        // column-major view of Wᵀ: m = cols, n = rows
        double[] sigma = new double[k];
        float[] vtU = vectors > 0 ? new float[cols * k] : new float[1];
        float[] vtVt = vectors > 0 ? new float[k * rows] : new float[1];
        int info;
        if (float64) {
            double[] a = new double[matrix.values().length];
            for (int i = 0; i < a.length; i++) {
                a[i] = matrix.values()[i];
            }
            double[] u = vectors > 0 ? new double[cols * k] : new double[1];
            double[] vt = vectors > 0 ? new double[k * rows] : new double[1];
            double[] superb = new double[Math.max(1, k - 1)];
            info = openblas.LAPACKE_dgesvd(openblas.LAPACK_COL_MAJOR, job, job, cols, rows, a, cols, sigma,
                    u, Math.max(1, cols), vt, Math.max(1, k), superb);
            for (int i = 0; vectors > 0 && i < u.length; i++) {
                vtU[i] = (float) u[i];
            }
            for (int i = 0; vectors > 0 && i < vt.length; i++) {
                vtVt[i] = (float) vt[i];
            }
        } else {
            float[] a = matrix.values().clone();
            float[] s = new float[k];
            float[] superb = new float[Math.max(1, k - 1)];
            info = openblas.LAPACKE_sgesvd(openblas.LAPACK_COL_MAJOR, job, job, cols, rows, a, cols, s,
                    vtU, Math.max(1, cols), vtVt, Math.max(1, k), superb);
            for (int i = 0; i < k; i++) {
                sigma[i] = s[i];
            }
        }
        if (info != 0) {
            throw new ArithmeticException("LAPACK gesvd failed for a " + rows + " x " + cols + " matrix (info " + info + ")");
        }
        double[] eigenvalues = new double[k];
        for (int i = 0; i < k; i++) {
            eigenvalues[k - 1 - i] = sigma[i] * sigma[i];
        }
        SingularVectors top = null;
        if (vectors > 0) {
            double[] values = new double[vectors];
            float[][] left = new float[vectors][rows];
            float[][] right = new float[vectors][cols];
            for (int j = 0; j < vectors; j++) {
                values[j] = sigma[j];
                // U of Wᵀ holds v_j in column j; row j of its Vᵀ (leading dimension k) holds u_j
                System.arraycopy(vtU, j * cols, right[j], 0, cols);
                for (int i = 0; i < rows; i++) {
                    left[j][i] = vtVt[i * k + j];
                }
            }
            top = new SingularVectors(values, left, right);
        }
        return new Spectrum(eigenvalues, k, top, name());
    }
}
