package io.specwatch.analysis;

/**
 * An estimate of the memory the analysis of one tensor needs beyond the tensor itself, for the
 * monitor's memory budget: engine copies of the matrix and its Gram matrix (float64 up to
 * M = 1024, float32 with a randomized sketch above), the update ΔW and its decomposition. About
 * 12·N·M + 8·M² bytes for an N × M matrix; convolution slices are decomposed one at a time.
 */
public final class WorkingMemory {

    private WorkingMemory() {
    }

    /** Bytes needed to analyse {@code tensor} (≥ 2 dimensions), saturating at Long.MAX_VALUE. */
    public static long bytes(TensorInfo tensor) {
        long[] shape = tensor.shape();
        if (shape.length < 2 || tensor.elements() == 0) {
            return 0;
        }
        long out = shape[0];
        long in = shape[1];
        long positions = tensor.elements() / Math.max(1, out * in);
        // the flattened layout is the larger of the two; slices are one out × in matrix at a time
        long n = Math.max(out, in * positions);
        long m = Math.min(out, in * positions);
        try {
            return Math.addExact(Math.multiplyExact(12, Math.multiplyExact(n, m)), Math.multiplyExact(8, Math.multiplyExact(m, m)));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
