package io.specwatch.charts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.metrics.SpectralPhase;

/**
 * The one chart front-end of the live page and the report: a self-contained HTML page with Apache
 * ECharts (bundled in the jar at build time, never fetched) and {@code specwatch-charts.js}, which
 * draws everything from one JSON shape: the chart catalogue ({@link #catalogue()}) and a list of
 * runs ({@link RunData}). The report embeds that JSON; the live page fetches it from
 * {@code /api/run} every two seconds. Nothing in the page loads anything from the network.
 */
public final class ChartPage {

    /** KS distance below which, with at least {@link #FIT_TRUSTED_TAIL} tail eigenvalues, a power-law fit is trusted (dashboards/prometheus/rules). */
    public static final double FIT_TRUSTED_KS = 0.1;
    public static final int FIT_TRUSTED_TAIL = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ECHARTS = resource("echarts.min.js");
    private static final String SCRIPT = resource("specwatch-charts.js");
    private static final String STYLE = resource("specwatch-charts.css");

    private ChartPage() {
    }

    /**
     * The page of a static report: {@code data} ({@code title, catalogue, runs, warnings}) is embedded.
     */
    public static String report(String title, JsonNode data) {
        return page(title, "{\"mode\":\"report\",\"data\":" + safeJson(data) + "}");
    }

    /** The live page: it polls {@code api/run} (relative to the page). */
    public static String live(String title) {
        return page(title, "{\"mode\":\"live\",\"api\":\"api/\"}");
    }

    private static String page(String title, String start) {
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(title) + "</title>\n<style>\n" + STYLE + "\n</style>\n</head>\n<body>\n"
                + "<div id=\"app\"></div>\n"
                + "<script>\n" + ECHARTS + "\n</script>\n"
                + "<script>\n" + SCRIPT + "\n</script>\n"
                + "<script>specwatchCharts.start(" + start + ");</script>\n</body>\n</html>\n";
    }

    /**
     * What each charted number is, from the metric catalogue: {@code charts} (key, title, axis
     * title with unit, whether it is a count, healthy range, heat-map or not), {@code table} (the
     * layer table's columns), {@code phases} (the labels the table flags), {@code esd} (the ESD
     * chart's axis titles).
     */
    public static ObjectNode catalogue() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode charts = root.putArray("charts");
        for (Field f : MetricCatalogue.charts()) {
            Field.Chart c = f.chart();
            ObjectNode o = charts.addObject().put("key", f.key()).put("title", c.title()).put("axis", c.axis())
                    .put("count", f.type() == Field.Type.COUNT).put("heatmap", c.heatmap());
            if (c.low() != null) {
                o.put("low", c.low());
            }
            if (c.high() != null) {
                o.put("high", c.high());
            }
        }
        ArrayNode table = root.putArray("table");
        MetricCatalogue.tableColumns().forEach((header, key) -> {
            if (!key.equals("name") && !key.equals("shape") && !key.equals("seconds") && !key.equals("phase") && !key.equals("status")) {
                table.addObject().put("key", key).put("title", header).put("count", MetricCatalogue.field(key).type() == Field.Type.COUNT);
            }
        });
        root.putObject("phases").put("nonfinite", SpectralPhase.NONFINITE.label()).put("rank_collapse", SpectralPhase.RANK_COLLAPSE.label());
        // a range flag counts only for a fit good enough to trust, as the SpectralAlphaOutOfRange alert says
        root.putObject("fit_trusted").put("ks_distance_max", FIT_TRUSTED_KS).put("tail_size_min", FIT_TRUSTED_TAIL);
        root.putObject("esd")
                .put("x", "eigenvalue λ = σ² of WᵀW (squared weight units)")
                .put("y", "density p(λ) (fraction of eigenvalues per unit λ)");
        return root;
    }

    /** JSON that can sit inside a script element: no {@code </script>}, no line separators JavaScript would choke on. */
    static String safeJson(JsonNode data) {
        try {
            return JSON.writeValueAsString(data).replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String resource(String name) {
        try (InputStream in = ChartPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the jar (the build copies ECharts into io/specwatch/charts)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
