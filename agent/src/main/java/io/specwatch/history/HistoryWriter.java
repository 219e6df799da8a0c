package io.specwatch.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.ReportRecords;
import io.specwatch.monitor.ReportSink;

/**
 * Appends one JSON object per matrix per snapshot to a JSON Lines file ({@link ReportRecords#layer}):
 * {@code step, timestamp, model, layer}, every field of {@code specwatch analyze --format json},
 * the dynamics and the top singular values, and optionally the ESD downsampled to at most
 * {@code eigenvaluePoints} values. Flushed after every snapshot, so a crash loses at most the
 * snapshot being written.
 */
public final class HistoryWriter implements ReportSink {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter out;
    private final int eigenvaluePoints;

    /**
     * @param file             created or appended to
     * @param eigenvaluePoints keep at most this many eigenvalues per record (0: none)
     */
    public HistoryWriter(Path file, int eigenvaluePoints) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (eigenvaluePoints < 0) {
            throw new IllegalArgumentException("eigenvaluePoints must be >= 0, got " + eigenvaluePoints);
        }
        this.eigenvaluePoints = eigenvaluePoints;
    }

    @Override
    public synchronized void accept(List<LayerReport> snapshot) throws IOException {
        for (LayerReport r : snapshot) {
            out.write(JSON.writeValueAsString(ReportRecords.layer(r, eigenvaluePoints)));
            out.newLine();
        }
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
