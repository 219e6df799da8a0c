package io.specwatch.monitor;

import java.util.List;

import io.specwatch.analysis.LayerReport;

/**
 * Receives the reports of each analysed snapshot, on the monitor's worker thread: the history,
 * the live page's series, any exporter that writes somewhere. Exporters that only show the latest
 * values read {@link SpectralMonitor#latest()} instead.
 */
public interface ReportSink extends AutoCloseable {

    /** All layer reports of one snapshot, in model order. Must not block for long. */
    void accept(List<LayerReport> snapshot) throws Exception;

    /** A value of the training job ({@link SpectralMonitor#recordTraining}), on the worker thread. Ignored by default. */
    default void acceptTraining(TrainingPoint point) throws Exception {
    }

    @Override
    default void close() throws Exception {
    }
}
