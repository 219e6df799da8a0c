package io.specwatch.monitor;

import java.util.List;

/**
 * Host copies of a model's weight matrices at one training step: what the training thread hands
 * to the analysis worker. The arrays are owned by the snapshot.
 *
 * @param step     training step (number of optimiser updates applied to these weights)
 * @param epochMillis wall-clock time of the copy
 * @param matrices the weights, in model order
 */
public record WeightSnapshot(long step, long epochMillis, List<Weight> matrices) {

    /**
     * One parameter with two or more dimensions.
     *
     * @param name   parameter name as the framework reports it
     * @param shape  dimensions, row-major
     * @param values the entries, row-major
     */
    public record Weight(String name, long[] shape, float[] values) {
    }

    /** Memory the snapshot holds, for the queue's budget. */
    public long bytes() {
        long bytes = 0;
        for (Weight w : matrices) {
            bytes += 4L * w.values().length;
        }
        return bytes;
    }
}
