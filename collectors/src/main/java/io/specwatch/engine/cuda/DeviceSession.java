package io.specwatch.engine.cuda;

import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * One engine's resources on one GPU: a stream, a cuBLAS and a cuSOLVER handle bound to it, and
 * two pinned host buffers through which matrices travel in chunks (the copy of one chunk to the
 * device overlaps with filling the other from the Java array). Every call checks its status and
 * throws {@link CudaException}. Not thread-safe: the engine serialises its calls.
 */
final class DeviceSession implements AutoCloseable {

    /** Size of each of the two host staging buffers. */
    static final int STAGING_BYTES = 16 << 20;

    private final CudaLibraries cuda;
    private final int device;
    private long stream;
    private long blas;
    private long solver;
    private final long[] staging = new long[2];
    private final Memory[] pageable = new Memory[2];
    private final long[] events = new long[2];
    private final boolean[] pending = new boolean[2];
    private final boolean asyncAllocation;
    private double[] conversion;

    DeviceSession(CudaLibraries cuda, int device, boolean tf32) {
        this.cuda = cuda;
        this.device = device;
        boolean ok = false;
        try {
            activate();
            long[] handle = new long[1];
            runtime("cudaStreamCreateWithFlags", cuda.runtime.cudaStreamCreateWithFlags(handle, CudaApi.STREAM_NON_BLOCKING));
            stream = handle[0];
            blas("cublasCreate_v2", cuda.blas.cublasCreate_v2(handle));
            blas = handle[0];
            blas("cublasSetStream_v2", cuda.blas.cublasSetStream_v2(blas, stream));
            // explicit, so that no library default or future change turns TF32 on behind our back
            blas("cublasSetMathMode", cuda.blas.cublasSetMathMode(blas, tf32 ? CudaApi.MATH_TF32 : CudaApi.MATH_DEFAULT));
            solver("cusolverDnCreate", cuda.solver.cusolverDnCreate(handle));
            solver = handle[0];
            solver("cusolverDnSetStream", cuda.solver.cusolverDnSetStream(solver, stream));
            for (int i = 0; i < 2; i++) {
                runtime("cudaEventCreateWithFlags", cuda.runtime.cudaEventCreateWithFlags(handle, CudaApi.EVENT_DISABLE_TIMING));
                events[i] = handle[0];
                if (cuda.runtime.cudaMallocHost(handle, STAGING_BYTES) == 0) {
                    staging[i] = handle[0];
                } else {
                    pageable[i] = new Memory(STAGING_BYTES); // slower copies, same results
                    staging[i] = Pointer.nativeValue(pageable[i]);
                }
            }
            int[] pools = new int[1];
            asyncAllocation = cuda.asyncAllocation != null
                    && cuda.runtime.cudaDeviceGetAttribute(pools, CudaApi.ATTRIBUTE_MEMORY_POOLS_SUPPORTED, device) == 0 && pools[0] == 1;
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /** Makes this session's device current on the calling thread (the CUDA runtime's device is per thread). */
    void activate() {
        runtime("cudaSetDevice", cuda.runtime.cudaSetDevice(device));
    }

    /** Free device memory now. */
    long freeBytes() {
        long[] free = new long[1];
        long[] total = new long[1];
        runtime("cudaMemGetInfo", cuda.runtime.cudaMemGetInfo(free, total));
        return free[0];
    }

    long blasHandle() {
        return blas;
    }

    long solverHandle() {
        return solver;
    }

    CudaLibraries cuda() {
        return cuda;
    }

    /** Device allocations freed together when the returned scope closes. */
    Allocations allocations() {
        return new Allocations();
    }

    /** Device buffers of one decomposition. */
    final class Allocations implements AutoCloseable {
        private final List<Long> pointers = new ArrayList<>();

        long allocate(long bytes) {
            long[] p = new long[1];
            long size = Math.max(bytes, 16);
            if (asyncAllocation) {
                runtime("cudaMallocAsync", cuda.asyncAllocation.cudaMallocAsync(p, size, stream));
            } else {
                runtime("cudaMalloc", cuda.runtime.cudaMalloc(p, size));
            }
            pointers.add(p[0]);
            return p[0];
        }

        @Override
        public void close() {
            for (long p : pointers) {
                // stream-ordered frees do not stall other engines' streams the way cudaFree's device-wide synchronisation does
                if (asyncAllocation) {
                    cuda.asyncAllocation.cudaFreeAsync(p, stream);
                } else {
                    cuda.runtime.cudaFree(p);
                }
            }
            pointers.clear();
        }
    }

    /** Copies a float array to the device, as floats or converted to doubles. */
    void upload(float[] source, long destination, boolean asDouble) {
        int elementBytes = asDouble ? 8 : 4;
        int chunk = STAGING_BYTES / elementBytes;
        if (asDouble && (conversion == null || conversion.length < chunk)) {
            conversion = new double[chunk];
        }
        int buffer = 0;
        for (int offset = 0; offset < source.length; offset += chunk, buffer ^= 1) {
            int length = Math.min(chunk, source.length - offset);
            if (pending[buffer]) {
                runtime("cudaEventSynchronize", cuda.runtime.cudaEventSynchronize(events[buffer]));
                pending[buffer] = false;
            }
            Pointer host = new Pointer(staging[buffer]);
            if (asDouble) {
                for (int i = 0; i < length; i++) {
                    conversion[i] = source[offset + i];
                }
                host.write(0, conversion, 0, length);
            } else {
                host.write(0, source, offset, length);
            }
            runtime("cudaMemcpyAsync", cuda.runtime.cudaMemcpyAsync(destination + (long) offset * elementBytes, staging[buffer],
                    (long) length * elementBytes, CudaApi.MEMCPY_HOST_TO_DEVICE, stream));
            runtime("cudaEventRecord", cuda.runtime.cudaEventRecord(events[buffer], stream));
            pending[buffer] = true;
        }
    }

    /** Copies device memory to device memory on the stream. */
    void copyOnDevice(long source, long destination, long bytes) {
        runtime("cudaMemcpyAsync", cuda.runtime.cudaMemcpyAsync(destination, source, bytes, CudaApi.MEMCPY_DEVICE_TO_DEVICE, stream));
    }

    /** Waits for the stream and copies {@code count} floats or doubles from the device into a double array. */
    double[] download(long source, int count, boolean doubles) {
        int elementBytes = doubles ? 8 : 4;
        int chunk = STAGING_BYTES / elementBytes;
        double[] out = new double[count];
        float[] floats = doubles ? null : new float[Math.min(chunk, count)];
        waitForPendingUploads();
        for (int offset = 0; offset < count; offset += chunk) {
            int length = Math.min(chunk, count - offset);
            runtime("cudaMemcpyAsync", cuda.runtime.cudaMemcpyAsync(staging[0], source + (long) offset * elementBytes,
                    (long) length * elementBytes, CudaApi.MEMCPY_DEVICE_TO_HOST, stream));
            runtime("cudaStreamSynchronize", cuda.runtime.cudaStreamSynchronize(stream));
            Pointer host = new Pointer(staging[0]);
            if (doubles) {
                host.read(0, out, offset, length);
            } else {
                host.read(0, floats, 0, length);
                for (int i = 0; i < length; i++) {
                    out[offset + i] = floats[i];
                }
            }
        }
        return out;
    }

    /** Waits for the stream and copies {@code count} ints from the device. */
    int[] downloadInts(long source, int count) {
        waitForPendingUploads();
        runtime("cudaMemcpyAsync", cuda.runtime.cudaMemcpyAsync(staging[0], source, 4L * count, CudaApi.MEMCPY_DEVICE_TO_HOST, stream));
        runtime("cudaStreamSynchronize", cuda.runtime.cudaStreamSynchronize(stream));
        return new Pointer(staging[0]).getIntArray(0, count);
    }

    private void waitForPendingUploads() {
        // staging[0] may still be the source of an upload in flight
        for (int i = 0; i < 2; i++) {
            if (pending[i]) {
                runtime("cudaEventSynchronize", cuda.runtime.cudaEventSynchronize(events[i]));
                pending[i] = false;
            }
        }
    }

    /** Releases everything; safe after a failure (errors while releasing are ignored: there is nothing left to do). */
    @Override
    public void close() {
        if (stream != 0) {
            cuda.runtime.cudaStreamSynchronize(stream);
        }
        if (solver != 0) {
            cuda.solver.cusolverDnDestroy(solver);
            solver = 0;
        }
        if (blas != 0) {
            cuda.blas.cublasDestroy_v2(blas);
            blas = 0;
        }
        for (int i = 0; i < 2; i++) {
            if (staging[i] != 0 && pageable[i] == null) {
                cuda.runtime.cudaFreeHost(staging[i]);
            }
            if (pageable[i] != null) {
                pageable[i].close();
                pageable[i] = null;
            }
            staging[i] = 0;
            if (events[i] != 0) {
                cuda.runtime.cudaEventDestroy(events[i]);
                events[i] = 0;
            }
        }
        if (stream != 0) {
            cuda.runtime.cudaStreamDestroy(stream);
            stream = 0;
        }
    }

    void runtime(String call, int status) {
        if (status != 0) {
            throw CudaException.runtime(call, status, cuda.runtime.cudaGetErrorName(status));
        }
    }

    static void blas(String call, int status) {
        if (status != 0) {
            throw CudaException.blas(call, status);
        }
    }

    static void solver(String call, int status) {
        if (status != 0) {
            throw CudaException.solver(call, status);
        }
    }
}
