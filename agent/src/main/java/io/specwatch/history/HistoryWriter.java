package io.specwatch.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.monitor.LayerReport;
import io.specwatch.monitor.ReportSink;

/**
 * Appends one JSON object per matrix per snapshot to a JSON Lines file: {@code step, timestamp,
 * model, layer}, every field of {@code specwatch analyze --format json}, the dynamics and the top
 * singular values, and optionally the ESD downsampled to at most {@code eigenvaluePoints} values.
 * Flushed after every snapshot, so a crash loses at most the snapshot being written.
 */
public final class HistoryWriter implements ReportSink {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter out;
    private final int eigenvaluePoints;
    private final int topSingularValues;

    /**
     * @param file             created or appended to
     * @param eigenvaluePoints keep at most this many eigenvalues per record (0: none)
     * @param topSingularValues how many top singular values each record lists
     */
    public HistoryWriter(Path file, int eigenvaluePoints, int topSingularValues) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.eigenvaluePoints = eigenvaluePoints;
        this.topSingularValues = topSingularValues;
    }

    @Override
    public synchronized void accept(List<LayerReport> snapshot) throws IOException {
        for (LayerReport r : snapshot) {
            out.write(JSON.writeValueAsString(toJson(r, eigenvaluePoints, topSingularValues)));
            out.newLine();
        }
        out.flush();
    }

    /** The history record of one layer report. */
    public static ObjectNode toJson(LayerReport r, int eigenvaluePoints, int topSingularValues) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", r.step());
        o.put("timestamp", r.epochMillis() / 1000.0);
        o.put("model", r.model());
        o.put("layer", r.layer());
        ObjectNode report = ReportJson.toJson(r.report(), false);
        o.setAll(report);
        // traps run at their own cadence: the record says what was measured at this step, plus the latest value
        if (r.correlationTraps() == null) {
            o.putNull("correlation_traps_latest");
        } else {
            o.put("correlation_traps_latest", r.correlationTraps());
        }
        ReportJson.put(o, "singular_vector_agreement_previous", r.agreementPrevious());
        ReportJson.put(o, "singular_vector_agreement_first", r.agreementFirst());
        ReportJson.put(o, "subspace_overlap_previous", r.subspaceOverlapPrevious());
        ReportJson.put(o, "subspace_overlap_first", r.subspaceOverlapFirst());
        ReportJson.put(o, "update_norm_ratio", r.updateNormRatio());
        ReportJson.put(o, "update_stable_rank", r.updateStableRank());
        ReportJson.put(o, "update_alignment", r.updateAlignment());
        ReportJson.put(o, "layer_alignment", r.layerAlignment());
        ReportJson.put(o, "alpha_hill_baseline", r.alphaHillBaseline());
        ReportJson.put(o, "effective_rank_ratio_baseline", r.effectiveRankRatioBaseline());
        ObjectNode directions = o.putObject("direction_overlap");
        r.directionOverlaps().forEach((name, value) -> ReportJson.put(directions, name, value));
        var top = o.putArray("top_singular_values");
        for (double s : r.report().topSingularValues(topSingularValues)) {
            top.add(s);
        }
        if (eigenvaluePoints > 0 && r.report().eigenvalues() != null) {
            var e = o.putArray("eigenvalues");
            for (double v : downsample(r.report().eigenvalues(), eigenvaluePoints)) {
                e.add(v);
            }
        }
        return o;
    }

    /** At most {@code points} values of an ascending array, evenly spaced in rank, always keeping both ends. */
    static double[] downsample(double[] ascending, int points) {
        if (ascending.length <= points) {
            return ascending.clone();
        }
        double[] out = new double[points];
        for (int i = 0; i < points; i++) {
            out[i] = ascending[(int) Math.round((double) i * (ascending.length - 1) / (points - 1))];
        }
        return out;
    }


    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
