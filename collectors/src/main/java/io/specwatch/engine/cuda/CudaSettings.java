package io.specwatch.engine.cuda;

/**
 * How the CUDA engine runs.
 *
 * @param device           CUDA device ordinal ({@code cuda:N})
 * @param float64Limit     matrices whose smaller side M is at most this are computed in float64,
 *                         larger ones in float32 (0: always float32; {@link Integer#MAX_VALUE}: always float64)
 * @param tf32             let cuBLAS use TF32 tensor cores for the float32 Gram product (faster, about
 *                         three decimal digits in the products; off by default)
 * @param memoryFraction   at most this fraction of the device memory free at the time of each matrix is used
 * @param memoryLimitBytes and at most this many bytes (0: no limit beyond the fraction)
 */
public record CudaSettings(int device, int float64Limit, boolean tf32, double memoryFraction, long memoryLimitBytes) {

    /** Default fraction of free device memory one matrix may use. */
    public static final double DEFAULT_MEMORY_FRACTION = 0.5;
    /** Default float64 limit: the CPU engines' choice (float64 Gram up to M = 1024), for the same accuracy on small matrices. */
    public static final int DEFAULT_FLOAT64_LIMIT = 1024;

    public CudaSettings {
        if (device < 0) {
            throw new IllegalArgumentException("device must be >= 0, got " + device);
        }
        if (float64Limit < 0) {
            throw new IllegalArgumentException("float64Limit must be >= 0, got " + float64Limit);
        }
        if (!(memoryFraction > 0 && memoryFraction <= 1)) {
            throw new IllegalArgumentException("memoryFraction must be in (0, 1], got " + memoryFraction);
        }
        if (memoryLimitBytes < 0) {
            throw new IllegalArgumentException("memoryLimitBytes must be >= 0, got " + memoryLimitBytes);
        }
    }

    /** Device {@code device}, float64 up to M = 1024, TF32 off, half the free memory. */
    public static CudaSettings defaults(int device) {
        return new CudaSettings(device, DEFAULT_FLOAT64_LIMIT, false, DEFAULT_MEMORY_FRACTION, 0);
    }

    public CudaSettings withFloat64Limit(int limit) {
        return new CudaSettings(device, limit, tf32, memoryFraction, memoryLimitBytes);
    }

    public CudaSettings withTf32(boolean enabled) {
        return new CudaSettings(device, float64Limit, enabled, memoryFraction, memoryLimitBytes);
    }

    public CudaSettings withMemory(double fraction, long limitBytes) {
        return new CudaSettings(device, float64Limit, tf32, fraction, limitBytes);
    }

    /** The budget for one matrix when {@code freeBytes} are free. */
    long budget(long freeBytes) {
        long byFraction = (long) (freeBytes * memoryFraction);
        return memoryLimitBytes > 0 ? Math.min(byFraction, memoryLimitBytes) : byFraction;
    }
}
