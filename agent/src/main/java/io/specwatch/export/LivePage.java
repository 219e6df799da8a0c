package io.specwatch.export;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.ReportRecords;
import io.specwatch.charts.ChartPage;
import io.specwatch.charts.RunData;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.monitor.TrainingPoint;

/**
 * The live page: {@code /} serves the chart front-end ({@link ChartPage}, self-contained: ECharts is
 * inlined), which polls {@code /api/run} (the run as the report shows it: every layer's recent
 * series, latest record with its ESD plot, training values; and the monitor's health) and
 * {@code /api/catalogue} (what each charted number is). {@code /api/layers} (latest report of every
 * layer, with its ESD downsampled) and {@code /api/series?layer=NAME} (recent values of the charted
 * fields of one layer) serve the same data for scripts.
 */
final class LivePage {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ESD_POINTS = 400;

    private final SpectralMonitor monitor;
    private final SeriesStore series;
    private final byte[] html;
    private final byte[] catalogue;

    LivePage(SpectralMonitor monitor, SeriesStore series) {
        this.monitor = monitor;
        this.series = series;
        this.catalogue = catalogueJson();
        this.html = ChartPage.live("specwatch live: " + monitor.settings().model()).getBytes(StandardCharsets.UTF_8);
    }

    /** What the page answers to a GET of {@code path}. */
    record Reply(int status, String contentType, byte[] body) {
    }

    /** The answer to a GET of {@code path} with the raw (still encoded) query string. */
    Reply reply(String path, String rawQuery) throws IOException {
        if (path.equals("/") || path.equals("/index.html")) {
            return new Reply(200, "text/html; charset=utf-8", html);
        }
        if (path.equals("/api/catalogue")) {
            return new Reply(200, "application/json", catalogue);
        }
        if (path.equals("/api/run")) {
            return new Reply(200, "application/json", run());
        }
        if (path.equals("/api/layers")) {
            return new Reply(200, "application/json", layers());
        }
        if (path.equals("/api/series")) {
            String layer = query(rawQuery, "layer");
            if (layer == null) {
                return new Reply(400, "text/plain; charset=utf-8", "missing ?layer=NAME\n".getBytes(StandardCharsets.UTF_8));
            }
            return new Reply(200, "application/json", series(layer));
        }
        return new Reply(404, "text/plain; charset=utf-8", "no such page\n".getBytes(StandardCharsets.UTF_8));
    }

    private byte[] layers() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", monitor.settings().model());
        root.put("snapshots", monitor.health().snapshots());
        root.put("dropped", monitor.health().dropped());
        root.put("errors", monitor.health().errors());
        ArrayNode layers = root.putArray("layers");
        for (LayerReport r : monitor.latest().all()) {
            layers.add(ReportRecords.layer(r, ESD_POINTS));
        }
        return JSON.writeValueAsBytes(root);
    }

    /** This process's run in the shape the report embeds ({@link RunData}), with the monitor's health. */
    private byte[] run() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode status = root.putObject("status");
        status.put("model", monitor.settings().model());
        status.put("snapshots", monitor.health().snapshots());
        status.put("dropped", monitor.health().dropped());
        status.put("errors", monitor.health().errors());
        RunData run = new RunData("live", monitor.settings().model(), null);
        List<Field> charts = SeriesStore.charts();
        for (String layer : series.layers()) {
            for (SeriesStore.Point p : series.series(layer)) {
                ObjectNode o = JSON.createObjectNode();
                o.put("layer", layer);
                o.put("step", p.step());
                for (int i = 0; i < charts.size(); i++) {
                    if (Double.isFinite(p.values()[i])) {
                        o.put(charts.get(i).key(), p.values()[i]);
                    }
                }
                run.addLayer(o);
            }
        }
        long lastStep = -1;
        for (LayerReport r : monitor.latest().all()) {
            run.addLayer(ReportRecords.layer(r, ESD_POINTS));
            lastStep = Math.max(lastStep, r.step());
        }
        if (lastStep >= 0) {
            status.put("last_step", lastStep);
        }
        for (TrainingPoint p : series.training()) {
            ObjectNode o = JSON.createObjectNode();
            o.put("step", p.step());
            o.put("metric", p.metric());
            o.put("unit", p.unit());
            ObjectNode values = o.putObject("values");
            p.values().forEach((k, v) -> {
                if (v != null && Double.isFinite(v)) {
                    values.put(k, v);
                } else {
                    values.putNull(k);
                }
            });
            run.addTraining(o);
        }
        root.set("run", run.toJson());
        return JSON.writeValueAsBytes(root);
    }

    private byte[] series(String layer) throws IOException {
        ArrayNode points = JSON.createArrayNode();
        List<Field> charts = SeriesStore.charts();
        for (SeriesStore.Point p : series.series(layer)) {
            ObjectNode o = points.addObject();
            o.put("step", p.step());
            for (int i = 0; i < charts.size(); i++) {
                double v = p.values()[i];
                if (Double.isFinite(v)) {
                    o.put(charts.get(i).key(), v);
                } else {
                    o.putNull(charts.get(i).key());
                }
            }
        }
        return JSON.writeValueAsBytes(points);
    }

    /** What the charts and the table show, from the metric catalogue ({@link ChartPage#catalogue()}). */
    static byte[] catalogueJson() {
        try {
            return JSON.writeValueAsBytes(ChartPage.catalogue());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(String raw, String key) {
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(key)) {
                try {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException malformed) {
                    return null;
                }
            }
        }
        return null;
    }
}
