package io.specwatch.export;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.catalogue.ReportRecords;
import io.specwatch.monitor.SpectralMonitor;

/**
 * The live page: {@code /} serves one self-contained HTML file (no external assets) that polls
 * {@code /api/layers} (latest report of every layer, with its ESD downsampled),
 * {@code /api/series?layer=NAME} (recent values of the charted fields) and {@code /api/catalogue}
 * (what the charts and the table show), and draws the plots as SVG.
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
        try (InputStream in = LivePage.class.getResourceAsStream("live.html")) {
            if (in == null) {
                throw new IllegalStateException("live.html missing from the jar");
            }
            this.html = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read live.html", e);
        }
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

    /** The charts (key, title, whole numbers or not) and the table's columns, from the catalogue. */
    static byte[] catalogueJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode charts = root.putArray("charts");
        for (Field f : MetricCatalogue.charts()) {
            charts.addObject().put("key", f.key()).put("title", f.chart()).put("count", f.type() == Field.Type.COUNT);
        }
        ArrayNode table = root.putArray("table");
        MetricCatalogue.tableColumns().forEach((header, key) -> {
            if (!key.equals("name") && !key.equals("shape") && !key.equals("seconds")) {
                table.addObject().put("key", key).put("title", header);
            }
        });
        try {
            return JSON.writeValueAsBytes(root);
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
