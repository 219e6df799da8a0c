package io.specwatch.analysis;

import java.io.IOException;

/**
 * One weight tensor of a snapshot: either a copy held in memory (the DJL hook copies on the
 * training thread) or a handle that reads its values when the analysis asks for them (a
 * checkpoint on disk, read one tensor at a time so memory is bounded by the largest tensor).
 */
public interface WeightTensor {

    /** Name and shape. */
    TensorInfo info();

    /**
     * The entries as float32, row-major. An in-memory copy returns its array (do not mutate it);
     * a handle reads them, and may fail when the storage is gone.
     */
    float[] values() throws IOException;

    /**
     * The entries with their scale: what the analysis reads. A handle on float64 data beyond
     * float32's range overrides it ({@link TensorValues#of(double[])}); for everything else it is
     * {@link #values()} as they are.
     */
    default TensorValues read() throws IOException {
        return TensorValues.of(values());
    }

    /** Bytes this tensor holds in memory now (a copy: 4 per entry; a handle: 0). */
    long heldBytes();
}
