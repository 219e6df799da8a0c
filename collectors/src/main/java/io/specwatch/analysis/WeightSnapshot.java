package io.specwatch.analysis;

import java.util.List;

/**
 * A model's weight tensors at one training step: what a source hands to the analysis.
 *
 * @param step        training step (number of optimiser updates applied to these weights)
 * @param epochMillis wall-clock time of the snapshot
 * @param matrices    the tensors, in model order
 */
public record WeightSnapshot(long step, long epochMillis, List<? extends WeightTensor> matrices) {

    public WeightSnapshot {
        matrices = List.copyOf(matrices);
    }

    /**
     * A tensor copied into memory.
     *
     * @param name   parameter name as the framework reports it
     * @param shape  dimensions, row-major
     * @param values the entries, row-major (owned by this record)
     */
    public record Weight(String name, long[] shape, float[] values) implements WeightTensor {

        @Override
        public TensorInfo info() {
            return new TensorInfo(name, shape);
        }

        @Override
        public long heldBytes() {
            return 4L * values.length;
        }
    }

    /** Memory the snapshot holds, for the queue's budget. */
    public long bytes() {
        long bytes = 0;
        for (WeightTensor w : matrices) {
            bytes += w.heldBytes();
        }
        return bytes;
    }
}
