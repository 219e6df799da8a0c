package io.specwatch.engine.cuda;

import java.util.Map;

/**
 * A CUDA library call returned an error status. Its message names the call and the status, and
 * {@link #cause()} is the key under which fallbacks are counted and logged once.
 */
public final class CudaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private static final Map<Integer, String> BLAS = Map.of(1, "CUBLAS_STATUS_NOT_INITIALIZED", 3, "CUBLAS_STATUS_ALLOC_FAILED",
            7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH", 11, "CUBLAS_STATUS_MAPPING_ERROR",
            13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR", 15, "CUBLAS_STATUS_NOT_SUPPORTED",
            16, "CUBLAS_STATUS_LICENSE_ERROR");
    private static final Map<Integer, String> SOLVER = Map.of(1, "CUSOLVER_STATUS_NOT_INITIALIZED", 2, "CUSOLVER_STATUS_ALLOC_FAILED",
            3, "CUSOLVER_STATUS_INVALID_VALUE", 4, "CUSOLVER_STATUS_ARCH_MISMATCH", 5, "CUSOLVER_STATUS_MAPPING_ERROR",
            6, "CUSOLVER_STATUS_EXECUTION_FAILED", 7, "CUSOLVER_STATUS_INTERNAL_ERROR",
            8, "CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED", 9, "CUSOLVER_STATUS_NOT_SUPPORTED", 31, "CUSOLVER_STATUS_INVALID_WORKSPACE");

    private final String call;
    private final int status;
    private final String statusName;

    CudaException(String call, int status, String statusName) {
        super(call + ": " + (statusName == null ? "status" : statusName) + " (" + status + ")");
        this.call = call;
        this.status = status;
        this.statusName = statusName;
    }

    /** The function that failed, e.g. {@code cusolverDnSsyevd}. */
    public String call() {
        return call;
    }

    /** The status it returned. */
    public int status() {
        return status;
    }

    /** The call and status: what identifies a cause of fallbacks. */
    public String cause() {
        return getMessage();
    }

    static CudaException blas(String call, int status) {
        return new CudaException(call, status, BLAS.get(status));
    }

    static CudaException solver(String call, int status) {
        return new CudaException(call, status, SOLVER.get(status));
    }

    static CudaException runtime(String call, int status, String name) {
        return new CudaException(call, status, name);
    }

    /** A solver reported info ≠ 0 in its device status word (no convergence or a bad argument). */
    static CudaException info(String call, int info) {
        return new CudaException(call, info, info < 0 ? "invalid argument, info" : "no convergence, info");
    }
}
