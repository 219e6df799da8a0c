package io.specwatch.analysis;

import java.io.IOException;

import io.specwatch.engine.SingularVectors;

/**
 * What one layer remembers between snapshots for its dynamics: the first and previous singular
 * vectors, the previous weights (for ΔW; a handle is read again only when needed), the
 * first-snapshot baselines and the latest correlation-trap count.
 */
final class LayerState {

    private SingularVectors first;
    private SingularVectors previous;
    private WeightTensor previousTensor;
    private LayerDynamics.Baseline baseline = LayerDynamics.Baseline.NONE;
    private boolean baselined;
    private Integer correlationTraps;

    /** Takes the baselines from the first finite report, and the latest trap count. */
    void remember(MatrixReport report) {
        if (!baselined && report.rank() != null) {
            baselined = true;
            baseline = new LayerDynamics.Baseline(report.alphaHill() != null ? report.alphaHill() : Double.NaN,
                    report.rank().effectiveRankRatio());
        }
        if (report.correlationTraps() != null) {
            correlationTraps = report.correlationTraps();
        }
    }

    SingularVectors firstVectors() {
        return first;
    }

    SingularVectors previousVectors() {
        return previous;
    }

    /**
     * The previous snapshot's values, as multiples of 2^{@code exponent} like the current ones, when
     * they exist and have {@code length} entries; null otherwise (also when a handle's storage is
     * gone, e.g. a checkpoint rotated away: no ΔW then).
     */
    float[] previousValues(int length, int exponent) {
        if (previousTensor == null) {
            return null;
        }
        TensorValues values;
        try {
            values = previousTensor.read();
        } catch (IOException e) {
            return null;
        }
        return values.values().length == length ? values.at(exponent) : null;
    }

    /** Makes this snapshot the previous one. */
    void advance(SingularVectors now, WeightTensor tensor) {
        if (first == null) {
            first = now;
        }
        previous = now;
        previousTensor = tensor;
    }

    /** Bytes kept in memory for the next snapshot's dynamics. */
    long retainedBytes() {
        long bytes = previousTensor == null ? 0 : previousTensor.heldBytes();
        bytes += vectorBytes(first);
        if (previous != first) {
            bytes += vectorBytes(previous);
        }
        return bytes;
    }

    private static long vectorBytes(SingularVectors v) {
        return v == null || v.count() == 0 ? 0 : 4L * v.count() * (v.left()[0].length + v.right()[0].length);
    }

    LayerDynamics.Baseline baseline() {
        return baseline;
    }

    Integer correlationTraps() {
        return correlationTraps;
    }
}
