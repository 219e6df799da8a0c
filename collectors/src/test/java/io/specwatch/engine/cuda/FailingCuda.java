package io.specwatch.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stand-ins for the CUDA libraries that fail in chosen ways, to test what the engine does on
 * failure (the numerics themselves are tested on a GPU: bench/gpu-check.sh). They count what the
 * engine allocates and frees. Host staging memory is refused, so the engine uses its own.
 */
final class FailingCuda {

    long freeBytes = 64L << 30;
    int syrkStatus;
    int blasCreateStatus;
    RuntimeException solverThrows;
    Error solverError;
    int mallocs;
    int frees;
    int streamsCreated;
    int streamsDestroyed;
    int blasHandles;
    int blasHandlesDestroyed;
    int syrkCalls;
    final List<String> syrkRoutines = new ArrayList<>();
    final List<Integer> mathModes = new ArrayList<>();
    private long next = 0x7000_0000_0000L;

    CudaLibraries libraries() {
        CudaReport report = new CudaReport(List.of(), new CudaReport.Probe("libcuda.so.1", "(stand-in)", null, null), 13000, 13, List.of(),
                List.of(new CudaReport.GpuDevice(0, "stand-in GPU", 80L << 30, -1, 90, true)), null);
        return CudaLibraries.of(report, runtime, blas, solver, null);
    }

    final CudaApi.Runtime runtime = new CudaApi.Runtime() {
        public int cudaRuntimeGetVersion(int[] v) { v[0] = 13000; return 0; }
        public int cudaDriverGetVersion(int[] v) { v[0] = 13000; return 0; }
        public int cudaGetDeviceCount(int[] c) { c[0] = 1; return 0; }
        public int cudaSetDevice(int d) { return 0; }
        public int cudaDeviceGetAttribute(int[] v, int a, int d) { v[0] = 0; return 0; }
        public int cudaMemGetInfo(long[] free, long[] total) { free[0] = freeBytes; total[0] = 80L << 30; return 0; }
        public int cudaMalloc(long[] p, long bytes) { mallocs++; p[0] = next; next += bytes + 256; return 0; }
        public int cudaFree(long p) { frees++; return 0; }
        public int cudaMallocHost(long[] p, long bytes) { return CudaApi.ERROR_MEMORY_ALLOCATION; }
        public int cudaFreeHost(long p) { throw new AssertionError("no pinned memory was handed out"); }
        public int cudaMemcpyAsync(long d, long s, long bytes, int kind, long stream) { return 0; }
        public int cudaStreamCreateWithFlags(long[] s, int flags) { streamsCreated++; s[0] = 0x51; return 0; }
        public int cudaStreamSynchronize(long s) { return 0; }
        public int cudaStreamDestroy(long s) { streamsDestroyed++; return 0; }
        public int cudaEventCreateWithFlags(long[] e, int flags) { e[0] = 0xE1; return 0; }
        public int cudaEventRecord(long e, long s) { return 0; }
        public int cudaEventSynchronize(long e) { return 0; }
        public int cudaEventDestroy(long e) { return 0; }
        public String cudaGetErrorName(int e) { return Map.of(2, "cudaErrorMemoryAllocation").getOrDefault(e, "cudaError" + e); }
    };

    final CudaApi.Blas blas = new CudaApi.Blas() {
        public int cublasCreate_v2(long[] h) {
            if (blasCreateStatus != 0) {
                return blasCreateStatus;
            }
            blasHandles++;
            h[0] = 0xB1;
            return 0;
        }
        public int cublasDestroy_v2(long h) { blasHandlesDestroyed++; return 0; }
        public int cublasSetStream_v2(long h, long s) { return 0; }
        public int cublasSetMathMode(long h, int mode) { mathModes.add(mode); return 0; }
        public int cublasGetProperty(int t, int[] v) { v[0] = 13; return 0; }
        public int cublasSsyrk_v2(long h, int uplo, int trans, int n, int k, float[] alpha, long a, int lda, float[] beta, long c, int ldc) {
            return syrk("Ssyrk");
        }
        public int cublasDsyrk_v2(long h, int uplo, int trans, int n, int k, double[] alpha, long a, int lda, double[] beta, long c, int ldc) {
            return syrk("Dsyrk");
        }
        public int cublasSgemm_v2(long h, int ta, int tb, int m, int n, int k, float[] al, long a, int lda, long b, int ldb, float[] be, long c, int ldc) {
            return 0;
        }
        public int cublasDgemm_v2(long h, int ta, int tb, int m, int n, int k, double[] al, long a, int lda, long b, int ldb, double[] be, long c, int ldc) {
            return 0;
        }
    };

    private int syrk(String routine) {
        syrkCalls++;
        syrkRoutines.add(routine);
        return syrkStatus;
    }

    final CudaApi.Solver solver = new CudaApi.Solver() {
        private int fail() {
            if (solverError != null) {
                throw solverError;
            }
            if (solverThrows != null) {
                throw solverThrows;
            }
            return 0;
        }
        public int cusolverDnCreate(long[] h) { h[0] = 0x5011; return 0; }
        public int cusolverDnDestroy(long h) { return 0; }
        public int cusolverDnSetStream(long h, long s) { return 0; }
        public int cusolverGetProperty(int t, int[] v) { v[0] = 12; return 0; }
        public int cusolverDnSsyevd_bufferSize(long h, int j, int u, int n, long a, int lda, long w, int[] lw) { lw[0] = 1; return fail(); }
        public int cusolverDnDsyevd_bufferSize(long h, int j, int u, int n, long a, int lda, long w, int[] lw) { lw[0] = 1; return fail(); }
        public int cusolverDnSsyevd(long h, int j, int u, int n, long a, int lda, long w, long wk, int lw, long info) { return fail(); }
        public int cusolverDnDsyevd(long h, int j, int u, int n, long a, int lda, long w, long wk, int lw, long info) { return fail(); }
        public int cusolverDnSsyevdx_bufferSize(long h, int j, int r, int u, int n, long a, int lda, float vl, float vu, int il, int iu,
                                                int[] m, long w, int[] lw) { lw[0] = 1; return fail(); }
        public int cusolverDnDsyevdx_bufferSize(long h, int j, int r, int u, int n, long a, int lda, double vl, double vu, int il, int iu,
                                                int[] m, long w, int[] lw) { lw[0] = 1; return fail(); }
        public int cusolverDnSsyevdx(long h, int j, int r, int u, int n, long a, int lda, float vl, float vu, int il, int iu, int[] m, long w,
                                     long wk, int lw, long info) { return fail(); }
        public int cusolverDnDsyevdx(long h, int j, int r, int u, int n, long a, int lda, double vl, double vu, int il, int iu, int[] m,
                                     long w, long wk, int lw, long info) { return fail(); }
    };
}
