package io.specwatch.monitor;

import java.util.Map;
import java.util.Objects;

/**
 * A value the training job itself measures (loss, accuracy), at a step, to be charted beside the
 * spectra on the same step axis: the live page, the history ({@code "record": "training"}) and
 * the TensorBoard sink show it. One metric may have several named series (accuracy on
 * {@code train} and {@code test}).
 *
 * @param step        the training step (optimiser updates so far)
 * @param epochMillis when it was recorded
 * @param metric      the metric's name, e.g. {@code accuracy}
 * @param unit        its unit for the axis title, e.g. {@code fraction} or {@code nats}
 * @param values      series name to value; non-finite values are kept out of charts
 */
public record TrainingPoint(long step, long epochMillis, String metric, String unit, Map<String, Double> values) {
    public TrainingPoint {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(unit, "unit");
        values = Map.copyOf(values);
    }
}
