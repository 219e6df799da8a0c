package io.specwatch.engine.cuda;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.Spectrum;
import io.specwatch.engine.SpectrumRequest;

/**
 * The spectrum of one matrix on the GPU, the same way {@code GramEigenEngine} does it on the CPU:
 * the Gram matrix over the smaller side (cuBLAS {@code syrk}), all its eigenvalues (cuSOLVER
 * {@code syevd} without vectors), the top-k eigenvectors when asked (cuSOLVER {@code syevdx} over
 * the index range n−k+1…n), and the other side of the singular vectors as W·v/σ (cuBLAS
 * {@code gemm}). One upload of W; one download of the eigenvalues and the k vectors.
 *
 * <p>The row-major W (rows × cols) is, read column-major, Wᵀ (cols × rows, leading dimension
 * cols): for a tall W the Gram matrix is WᵀW = Wᵀ(Wᵀ)ᵀ ({@code syrk} without transpose), for a
 * wide W it is WWᵀ = (Wᵀ)ᵀWᵀ ({@code syrk} transposed).
 */
final class DeviceGram {

    /** A matrix needs more device memory than the budget allows. */
    static final class OverBudget extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverBudget(String message) {
            super(message, null, false, false);
        }
    }

    private DeviceGram() {
    }

    /** Device bytes for W, the Gram matrix (twice when values and vectors are both asked for), eigenvalues and vectors, without workspace. */
    static long bytesBeforeWorkspace(DenseMatrix m, SpectrumRequest r, boolean float64) {
        long es = float64 ? 8 : 4;
        long n = m.smaller();
        long k = Math.min(r.vectors(), n);
        boolean copy = r.allEigenvalues() && k > 0;
        return es * ((long) m.rows() * m.cols() + n * n * (copy ? 2 : 1) + 2 * n + (long) m.larger() * k) + 64;
    }

    static Spectrum solve(DeviceSession s, DenseMatrix m, SpectrumRequest r, boolean float64, long budgetBytes, String name) {
        int rows = m.rows();
        int cols = m.cols();
        boolean tall = rows >= cols;
        int n = m.smaller();
        int big = m.larger();
        int k = Math.min(r.vectors(), n);
        boolean all = r.allEigenvalues();
        boolean copy = all && k > 0;
        long es = float64 ? 8 : 4;
        long before = bytesBeforeWorkspace(m, r, float64);
        if (before > budgetBytes) {
            throw overBudget(m, before, budgetBytes);
        }
        CudaLibraries cuda = s.cuda();
        long blas = s.blasHandle();
        long solver = s.solverHandle();
        try (DeviceSession.Allocations memory = s.allocations()) {
            long w = memory.allocate(es * rows * cols);
            long gram = memory.allocate(es * n * n);
            long gramCopy = copy ? memory.allocate(es * n * n) : 0;
            long allValues = all ? memory.allocate(es * n) : 0;
            long topValues = k > 0 ? memory.allocate(es * n) : 0;
            long other = k > 0 ? memory.allocate(es * big * k) : 0;
            long info = memory.allocate(8);

            s.upload(m.values(), w, float64);
            int trans = tall ? CudaApi.OP_N : CudaApi.OP_T;
            int inner = tall ? rows : cols;
            if (float64) {
                DeviceSession.blas("cublasDsyrk_v2", cuda.blas.cublasDsyrk_v2(blas, CudaApi.FILL_UPPER, trans, n, inner,
                        new double[] {1}, w, cols, new double[] {0}, gram, n));
            } else {
                DeviceSession.blas("cublasSsyrk_v2", cuda.blas.cublasSsyrk_v2(blas, CudaApi.FILL_UPPER, trans, n, inner,
                        new float[] {1}, w, cols, new float[] {0}, gram, n));
            }
            if (copy) {
                s.copyOnDevice(gram, gramCopy, es * n * n);
            }
            long valuesMatrix = copy ? gramCopy : gram;
            int il = n - k + 1;
            int[] lwork = new int[1];
            int[] found = new int[1];
            int work = 0;
            if (all) {
                String call = float64 ? "cusolverDnDsyevd_bufferSize" : "cusolverDnSsyevd_bufferSize";
                DeviceSession.solver(call, float64
                        ? cuda.solver.cusolverDnDsyevd_bufferSize(solver, CudaApi.EIG_NO_VECTORS, CudaApi.FILL_UPPER, n, valuesMatrix, n, allValues, lwork)
                        : cuda.solver.cusolverDnSsyevd_bufferSize(solver, CudaApi.EIG_NO_VECTORS, CudaApi.FILL_UPPER, n, valuesMatrix, n, allValues, lwork));
                work = Math.max(work, lwork[0]);
            }
            if (k > 0) {
                String call = float64 ? "cusolverDnDsyevdx_bufferSize" : "cusolverDnSsyevdx_bufferSize";
                DeviceSession.solver(call, float64
                        ? cuda.solver.cusolverDnDsyevdx_bufferSize(solver, CudaApi.EIG_VECTORS, CudaApi.EIG_RANGE_INDEX, CudaApi.FILL_UPPER,
                                n, gram, n, 0, 0, il, n, found, topValues, lwork)
                        : cuda.solver.cusolverDnSsyevdx_bufferSize(solver, CudaApi.EIG_VECTORS, CudaApi.EIG_RANGE_INDEX, CudaApi.FILL_UPPER,
                                n, gram, n, 0f, 0f, il, n, found, topValues, lwork));
                work = Math.max(work, lwork[0]);
            }
            if (before + es * work > budgetBytes) {
                throw overBudget(m, before + es * work, budgetBytes);
            }
            long workspace = memory.allocate(es * Math.max(1, work));
            if (all) {
                String call = float64 ? "cusolverDnDsyevd" : "cusolverDnSsyevd";
                DeviceSession.solver(call, float64
                        ? cuda.solver.cusolverDnDsyevd(solver, CudaApi.EIG_NO_VECTORS, CudaApi.FILL_UPPER, n, valuesMatrix, n, allValues, workspace, work, info)
                        : cuda.solver.cusolverDnSsyevd(solver, CudaApi.EIG_NO_VECTORS, CudaApi.FILL_UPPER, n, valuesMatrix, n, allValues, workspace, work, info));
            }
            if (k > 0) {
                String call = float64 ? "cusolverDnDsyevdx" : "cusolverDnSsyevdx";
                DeviceSession.solver(call, float64
                        ? cuda.solver.cusolverDnDsyevdx(solver, CudaApi.EIG_VECTORS, CudaApi.EIG_RANGE_INDEX, CudaApi.FILL_UPPER, n, gram, n,
                                0, 0, il, n, found, topValues, workspace, work, info + 4)
                        : cuda.solver.cusolverDnSsyevdx(solver, CudaApi.EIG_VECTORS, CudaApi.EIG_RANGE_INDEX, CudaApi.FILL_UPPER, n, gram, n,
                                0f, 0f, il, n, found, topValues, workspace, work, info + 4));
                // the other side of the top-k triplets, W·v (tall) or Wᵀ·u (wide); divided by σ on the host
                if (float64) {
                    DeviceSession.blas("cublasDgemm_v2", tall
                            ? cuda.blas.cublasDgemm_v2(blas, CudaApi.OP_T, CudaApi.OP_N, rows, k, cols, new double[] {1}, w, cols, gram, n,
                                    new double[] {0}, other, rows)
                            : cuda.blas.cublasDgemm_v2(blas, CudaApi.OP_N, CudaApi.OP_N, cols, k, rows, new double[] {1}, w, cols, gram, n,
                                    new double[] {0}, other, cols));
                } else {
                    DeviceSession.blas("cublasSgemm_v2", tall
                            ? cuda.blas.cublasSgemm_v2(blas, CudaApi.OP_T, CudaApi.OP_N, rows, k, cols, new float[] {1}, w, cols, gram, n,
                                    new float[] {0}, other, rows)
                            : cuda.blas.cublasSgemm_v2(blas, CudaApi.OP_N, CudaApi.OP_N, cols, k, rows, new float[] {1}, w, cols, gram, n,
                                    new float[] {0}, other, cols));
                }
            }
            int[] status = s.downloadInts(info, 2);
            if (all && status[0] != 0) {
                throw CudaException.info(float64 ? "cusolverDnDsyevd" : "cusolverDnSsyevd", status[0]);
            }
            if (k > 0 && status[1] != 0) {
                throw CudaException.info(float64 ? "cusolverDnDsyevdx" : "cusolverDnSsyevdx", status[1]);
            }
            if (k > 0 && found[0] != k) {
                throw new CudaException(float64 ? "cusolverDnDsyevdx" : "cusolverDnSsyevdx", found[0], "found " + found[0] + " of " + k + " eigenpairs");
            }
            double[] values = all ? clamp(s.download(allValues, n, float64)) : clamp(s.download(topValues, k, float64));
            if (k == 0) {
                return new Spectrum(values, n, null, name);
            }
            double[] small = s.download(gram, n * k, float64);
            double[] large = s.download(other, big * k, float64);
            double[] sigma = new double[k];
            float[][] smallVectors = new float[k][n];
            float[][] largeVectors = new float[k][big];
            for (int j = 0; j < k; j++) {
                int column = k - 1 - j; // ascending on the device: the largest is last
                sigma[j] = Math.sqrt(values[values.length - 1 - j]);
                double scale = sigma[j] > 0 ? 1 / sigma[j] : 0;
                for (int i = 0; i < n; i++) {
                    smallVectors[j][i] = (float) small[column * n + i];
                }
                for (int i = 0; i < big; i++) {
                    largeVectors[j][i] = (float) (large[column * big + i] * scale);
                }
            }
            SingularVectors vectors = tall ? new SingularVectors(sigma, largeVectors, smallVectors)
                    : new SingularVectors(sigma, smallVectors, largeVectors);
            return new Spectrum(values, n, vectors, name);
        }
    }

    private static OverBudget overBudget(DenseMatrix m, long needed, long budget) {
        return new OverBudget("a " + m.rows() + " x " + m.cols() + " matrix needs " + CudaReport.size(needed)
                + " of device memory, over the budget of " + CudaReport.size(budget));
    }

    private static double[] clamp(double[] eigenvalues) {
        // round-off can make the smallest eigenvalues of a singular Gram matrix slightly negative
        for (int i = 0; i < eigenvalues.length; i++) {
            eigenvalues[i] = Math.max(0, eigenvalues[i]);
        }
        return eigenvalues;
    }
}
