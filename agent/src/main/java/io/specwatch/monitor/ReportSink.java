package io.specwatch.monitor;

import java.util.List;

/** Receives the reports of each analysed snapshot, on the monitor's worker thread. */
public interface ReportSink extends AutoCloseable {

    /** All layer reports of one snapshot, in model order. Must not block for long. */
    void accept(List<LayerReport> snapshot) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
