package io.specwatch.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

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
final class LivePage implements HttpHandler {

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

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/") || path.equals("/index.html")) {
                send(exchange, 200, "text/html; charset=utf-8", html);
            } else if (path.equals("/api/catalogue")) {
                send(exchange, 200, "application/json", catalogue);
            } else if (path.equals("/api/layers")) {
                send(exchange, 200, "application/json", layers());
            } else if (path.equals("/api/series")) {
                String layer = query(exchange, "layer");
                if (layer == null) {
                    send(exchange, 400, "text/plain", "missing ?layer=NAME\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    send(exchange, 200, "application/json", series(layer));
                }
            } else {
                send(exchange, 404, "text/plain", ("no page at " + path + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
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


    private static String query(HttpExchange exchange, String key) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(key)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
