package io.specwatch.engine.cuda;

import com.sun.jna.Library;
import com.sun.jna.ptr.PointerByReference;

/**
 * The C functions of the CUDA libraries that the engine calls, as JNA interface mappings. Only
 * functions whose signatures are the same in CUDA 11, 12 and 13 appear here (the {@code _v2}
 * names are what the headers of all three map the plain names to), so one build runs with any of
 * them. Device pointers, handles and streams are passed as {@code long}: every supported platform
 * is 64-bit. Each function returns the library's status code (0 is success).
 *
 * <p>JNA's interface mapping costs about 0.5 µs a call (measured, docs/benchmarks.md); a matrix
 * takes a few dozen calls against milliseconds of GPU work.
 */
final class CudaApi {

    private CudaApi() {
    }

    /** libcuda.so.1, the driver: only for diagnostics (what is installed, which devices). */
    interface Driver extends Library {
        int cuInit(int flags);

        int cuDriverGetVersion(int[] version);

        int cuDeviceGetCount(int[] count);

        int cuDeviceGet(int[] device, int ordinal);

        int cuDeviceGetName(byte[] name, int length, int device);

        int cuDeviceTotalMem_v2(long[] bytes, int device);

        int cuDeviceGetAttribute(int[] value, int attribute, int device);

        int cuGetErrorName(int error, PointerByReference name);
    }

    /** libcudart: devices, memory, copies, streams. */
    interface Runtime extends Library {
        int cudaRuntimeGetVersion(int[] version);

        int cudaDriverGetVersion(int[] version);

        int cudaGetDeviceCount(int[] count);

        int cudaSetDevice(int device);

        int cudaDeviceGetAttribute(int[] value, int attribute, int device);

        int cudaMemGetInfo(long[] free, long[] total);

        int cudaMalloc(long[] pointer, long bytes);

        int cudaFree(long pointer);

        int cudaMallocHost(long[] pointer, long bytes);

        int cudaFreeHost(long pointer);

        int cudaMemcpyAsync(long destination, long source, long bytes, int kind, long stream);

        int cudaStreamCreateWithFlags(long[] stream, int flags);

        int cudaStreamSynchronize(long stream);

        int cudaStreamDestroy(long stream);

        int cudaEventCreateWithFlags(long[] event, int flags);

        int cudaEventRecord(long event, long stream);

        int cudaEventSynchronize(long event);

        int cudaEventDestroy(long event);

        String cudaGetErrorName(int error);
    }

    /**
     * The stream-ordered allocator of CUDA ≥ 11.2: frees without the device-wide synchronisation of
     * {@code cudaFree}, so that engines on other threads keep the GPU busy. Optional.
     */
    interface AsyncAllocation extends Library {
        int cudaMallocAsync(long[] pointer, long bytes, long stream);

        int cudaFreeAsync(long pointer, long stream);
    }

    /** libcublas: the Gram matrix and the other side of the singular vectors. */
    interface Blas extends Library {
        int cublasCreate_v2(long[] handle);

        int cublasDestroy_v2(long handle);

        int cublasSetStream_v2(long handle, long stream);

        int cublasSetMathMode(long handle, int mode);

        int cublasGetProperty(int type, int[] value);

        int cublasSsyrk_v2(long handle, int uplo, int trans, int n, int k, float[] alpha, long a, int lda,
                           float[] beta, long c, int ldc);

        int cublasDsyrk_v2(long handle, int uplo, int trans, int n, int k, double[] alpha, long a, int lda,
                           double[] beta, long c, int ldc);

        int cublasSgemm_v2(long handle, int transa, int transb, int m, int n, int k, float[] alpha, long a, int lda,
                           long b, int ldb, float[] beta, long c, int ldc);

        int cublasDgemm_v2(long handle, int transa, int transb, int m, int n, int k, double[] alpha, long a, int lda,
                           long b, int ldb, double[] beta, long c, int ldc);
    }

    /** libcusolver: symmetric eigensolvers (all values; a range of values and vectors). */
    interface Solver extends Library {
        int cusolverDnCreate(long[] handle);

        int cusolverDnDestroy(long handle);

        int cusolverDnSetStream(long handle, long stream);

        int cusolverGetProperty(int type, int[] value);

        int cusolverDnSsyevd_bufferSize(long handle, int jobz, int uplo, int n, long a, int lda, long w, int[] lwork);

        int cusolverDnDsyevd_bufferSize(long handle, int jobz, int uplo, int n, long a, int lda, long w, int[] lwork);

        int cusolverDnSsyevd(long handle, int jobz, int uplo, int n, long a, int lda, long w, long work, int lwork, long info);

        int cusolverDnDsyevd(long handle, int jobz, int uplo, int n, long a, int lda, long w, long work, int lwork, long info);

        int cusolverDnSsyevdx_bufferSize(long handle, int jobz, int range, int uplo, int n, long a, int lda, float vl,
                                         float vu, int il, int iu, int[] meig, long w, int[] lwork);

        int cusolverDnDsyevdx_bufferSize(long handle, int jobz, int range, int uplo, int n, long a, int lda, double vl,
                                         double vu, int il, int iu, int[] meig, long w, int[] lwork);

        int cusolverDnSsyevdx(long handle, int jobz, int range, int uplo, int n, long a, int lda, float vl, float vu,
                              int il, int iu, int[] meig, long w, long work, int lwork, long info);

        int cusolverDnDsyevdx(long handle, int jobz, int range, int uplo, int n, long a, int lda, double vl, double vu,
                              int il, int iu, int[] meig, long w, long work, int lwork, long info);
    }

    // Constants from the CUDA 11-13 headers (driver_types.h, cublas_api.h, cusolver_common.h, library_types.h, cuda.h).
    static final int MEMCPY_HOST_TO_DEVICE = 1;
    static final int MEMCPY_DEVICE_TO_HOST = 2;
    static final int MEMCPY_DEVICE_TO_DEVICE = 3;
    static final int STREAM_NON_BLOCKING = 1;
    static final int EVENT_DISABLE_TIMING = 2;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115;
    static final int MAJOR_VERSION = 0;
    static final int MINOR_VERSION = 1;
    static final int PATCH_LEVEL = 2;
    static final int FILL_UPPER = 1;
    static final int OP_N = 0;
    static final int OP_T = 1;
    /** No TF32 or other reduced-precision tensor-core paths for FP32 routines. */
    static final int MATH_DEFAULT = 0;
    /** FP32 routines may use TF32 tensor cores (about 10 bits of mantissa in the products). */
    static final int MATH_TF32 = 3;
    static final int EIG_NO_VECTORS = 0;
    static final int EIG_VECTORS = 1;
    static final int EIG_RANGE_INDEX = 1002;
    static final int ERROR_MEMORY_ALLOCATION = 2;
    static final int ERROR_INSUFFICIENT_DRIVER = 35;
    static final int ERROR_NO_DEVICE = 100;
}
