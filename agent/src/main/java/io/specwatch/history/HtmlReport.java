package io.specwatch.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;

/**
 * A self-contained HTML report of a history file: per layer the latest ESD on log-log axes with
 * the fitted power law and the Marchenko–Pastur bulk edge, and its metrics over steps; for the
 * model, layer × step heat-maps of the effective-rank ratio and of α_hill. Plain SVG, no scripts,
 * no external assets.
 */
public final class HtmlReport {


    private HtmlReport() {
    }

    /** Renders the records of one history file (in file order). */
    public static String render(List<JsonNode> records, String title) {
        Map<String, List<JsonNode>> byLayer = new LinkedHashMap<>();
        TreeSet<Long> steps = new TreeSet<>();
        for (JsonNode r : records) {
            byLayer.computeIfAbsent(r.path("layer").asText(), k -> new ArrayList<>()).add(r);
            steps.add(r.path("step").asLong());
        }
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(Svg.escape(title)).append("</title><style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}h2{font-size:16px;margin-top:28px}")
                .append("svg{background:#fafafa;border:1px solid #ddd;margin:4px}.row{display:flex;flex-wrap:wrap}")
                .append("</style></head><body>");
        html.append("<h1>").append(Svg.escape(title)).append("</h1>");
        html.append(String.format(Locale.ROOT, "<p>%d records, %d layers, %d snapshots (steps %d to %d).</p>",
                records.size(), byLayer.size(), steps.size(), steps.isEmpty() ? 0 : steps.first(), steps.isEmpty() ? 0 : steps.last()));
        if (!records.isEmpty()) {
            html.append("<h2>Effective-rank ratio, layer × step</h2>").append(heatmap(byLayer, steps, "effective_rank_ratio"));
            html.append("<h2>alpha_hill, layer × step</h2>").append(heatmap(byLayer, steps, "alpha_hill"));
        }
        for (var e : byLayer.entrySet()) {
            List<JsonNode> layer = e.getValue();
            JsonNode last = layer.get(layer.size() - 1);
            html.append("<h2>").append(Svg.escape(e.getKey())).append("</h2>");
            html.append(String.format(Locale.ROOT, "<p>step %d: phase <b>%s</b>, alpha %s, alpha_hill %s, spikes %s, effective-rank ratio %s</p>",
                    last.path("step").asLong(), Svg.escape(last.path("phase").asText()), num(last.get("alpha")),
                    num(last.get("alpha_hill")), num(last.get("spikes")), num(last.get("effective_rank_ratio"))));
            html.append("<div class=\"row\">").append(esd(last));
            for (Field f : MetricCatalogue.charts()) {
                html.append(series(layer, f.key(), f.chart()));
            }
            html.append("</div>");
        }
        return html.append("</body></html>\n").toString();
    }

    static String esd(JsonNode record) {
        int w = 420;
        int h = 280;
        int left = 40;
        int bottom = 26;
        Svg svg = new Svg(w, h, "esd");
        JsonNode eigen = record.get("eigenvalues");
        List<Double> ev = new ArrayList<>();
        if (eigen != null && eigen.isArray()) {
            eigen.forEach(v -> {
                if (v.asDouble() > 0) {
                    ev.add(v.asDouble());
                }
            });
        }
        if (ev.size() < 2) {
            return svg.text(10, 20, "no eigenvalues in the history (write it with eigenvalues)", "start").toString();
        }
        double lo = Math.log10(ev.get(0));
        JsonNode edgeNode = record.get("mp_bulk_max");
        // the x range also covers the MP bulk edge, which lies beyond the largest eigenvalue of a random-like layer
        double edgeLog = edgeNode != null && edgeNode.isNumber() && edgeNode.asDouble() > 0 ? Math.log10(edgeNode.asDouble()) + 0.02 : Double.NEGATIVE_INFINITY;
        double hi = Math.max(Math.log10(ev.get(ev.size() - 1)), edgeLog) + 1e-9;
        int bins = 30;
        double width = (hi - lo) / bins;
        double[] density = new double[bins];
        for (double v : ev) {
            density[Math.min(bins - 1, (int) ((Math.log10(v) - lo) / width))] += 1;
        }
        double dlo = Double.POSITIVE_INFINITY;
        double dhi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < bins; i++) {
            double span = Math.pow(10, lo + (i + 1) * width) - Math.pow(10, lo + i * width);
            density[i] = density[i] / ev.size() / span;
            if (density[i] > 0) {
                dlo = Math.min(dlo, Math.log10(density[i]));
                dhi = Math.max(dhi, Math.log10(density[i]));
            }
        }
        dlo -= 0.5;
        dhi += 0.5;
        final double fdlo = dlo;
        final double fdhi = dhi;
        java.util.function.DoubleUnaryOperator x = lx -> left + (lx - lo) / (hi - lo) * (w - left - 10);
        java.util.function.DoubleUnaryOperator y = ld -> h - bottom - (ld - fdlo) / (fdhi - fdlo) * (h - bottom - 10);
        svg.line(left, h - bottom, w - 10, h - bottom, "#999", "axis").line(left, 10, left, h - bottom, "#999", "axis");
        svg.text(left, h - 8, String.format(Locale.ROOT, "log10 λ %.2f", lo), "start")
                .text(w - 10, h - 8, String.format(Locale.ROOT, "%.2f", hi), "end");
        for (int i = 0; i < bins; i++) {
            if (density[i] > 0) {
                double x0 = x.applyAsDouble(lo + i * width);
                double x1 = x.applyAsDouble(lo + (i + 1) * width);
                double top = y.applyAsDouble(Math.log10(density[i]));
                svg.rect(x0, top, x1 - x0 - 1, h - bottom - top, "#5b8db8", "bar", null);
            }
        }
        JsonNode alpha = record.get("alpha");
        JsonNode xmin = record.get("xmin");
        if (alpha != null && alpha.isNumber() && xmin != null && xmin.isNumber()) {
            double a = alpha.asDouble();
            double xm = xmin.asDouble();
            double frac = record.path("tail_size").asDouble() / Math.max(1, record.path("n_evals").asDouble());
            StringBuilder pts = new StringBuilder();
            for (double lx = Math.log10(xm); lx <= hi; lx += (hi - lo) / 100) {
                double p = frac * (a - 1) / xm * Math.pow(Math.pow(10, lx) / xm, -a);
                if (p > 0) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(lx), y.applyAsDouble(Math.log10(p))));
                }
            }
            svg.polyline(pts, "#e8891c", "powerlaw");
        }
        JsonNode edge = record.get("mp_bulk_max");
        if (edge != null && edge.isNumber() && edge.asDouble() > 0) {
            double ex = x.applyAsDouble(Math.log10(edge.asDouble()));
            svg.line(ex, 10, ex, h - bottom, "#c0392b", "mp-edge");
        }
        return svg.toString();
    }

    static String series(List<JsonNode> layer, String key, String title) {
        Svg svg = new Svg(280, 150, "series");
        svg.text(6, 14, title, "start");
        List<double[]> pts = new ArrayList<>();
        for (JsonNode r : layer) {
            JsonNode v = r.get(key);
            if (v != null && v.isNumber()) {
                pts.add(new double[] {r.path("step").asDouble(), v.asDouble()});
            }
        }
        if (pts.isEmpty()) {
            return svg.text(6, 40, "no data", "start").toString();
        }
        double s0 = layer.get(0).path("step").asDouble();
        double s1 = Math.max(layer.get(layer.size() - 1).path("step").asDouble(), s0 + 1);
        double v0 = pts.stream().mapToDouble(p -> p[1]).min().orElse(0);
        double v1 = pts.stream().mapToDouble(p -> p[1]).max().orElse(1);
        if (v1 - v0 < 1e-12) {
            v0 -= 0.5;
            v1 += 0.5;
        }
        StringBuilder line = new StringBuilder();
        for (double[] p : pts) {
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", 54 + (p[0] - s0) / (s1 - s0) * 216, 135 - (p[1] - v0) / (v1 - v0) * 110));
        }
        // labels like 0.00318 need ~45 px left of the plot
        svg.text(50, 30, String.format(Locale.ROOT, "%.3g", v1), "end").text(50, 135, String.format(Locale.ROOT, "%.3g", v0), "end")
                .text(270, 148, String.format(Locale.ROOT, "step %.0f", s1), "end");
        return svg.polyline(line, "#5b8db8", "series-line").toString();
    }

    static String heatmap(Map<String, List<JsonNode>> byLayer, TreeSet<Long> steps, String key) {
        List<Long> columns = new ArrayList<>(steps);
        int labelWidth = 160;
        int cell = Math.max(4, Math.min(24, 900 / Math.max(1, columns.size())));
        int rowHeight = 18;
        int w = labelWidth + cell * columns.size() + 70;
        int h = rowHeight * byLayer.size() + 30;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<JsonNode> layer : byLayer.values()) {
            for (JsonNode r : layer) {
                JsonNode v = r.get(key);
                if (v != null && v.isNumber()) {
                    lo = Math.min(lo, v.asDouble());
                    hi = Math.max(hi, v.asDouble());
                }
            }
        }
        Svg svg = new Svg(w, h, "heatmap");
        if (lo > hi) {
            return svg.text(10, 20, "no " + key + " values", "start").toString();
        }
        int row = 0;
        for (var e : byLayer.entrySet()) {
            double yTop = row * rowHeight;
            svg.text(labelWidth - 6, yTop + 13, e.getKey(), "end");
            for (JsonNode r : e.getValue()) {
                JsonNode v = r.get(key);
                if (v == null || !v.isNumber()) {
                    continue;
                }
                int column = columns.indexOf(r.path("step").asLong());
                double t = hi > lo ? (v.asDouble() - lo) / (hi - lo) : 0.5;
                svg.rect(labelWidth + column * cell, yTop, cell, rowHeight - 1, color(t), "cell",
                        String.format(Locale.ROOT, "%s step %d: %s = %.4g", e.getKey(), r.path("step").asLong(), key, v.asDouble()));
            }
            row++;
        }
        svg.text(labelWidth, h - 8, "step " + columns.get(0), "start")
                .text(labelWidth + cell * columns.size(), h - 8, "step " + columns.get(columns.size() - 1), "end")
                .text(w - 4, 14, String.format(Locale.ROOT, "%.3g", hi), "end")
                .text(w - 4, h - 20, String.format(Locale.ROOT, "%.3g", lo), "end");
        return svg.toString();
    }

    /** Dark blue (low) to yellow (high). */
    static String color(double t) {
        double c = Math.max(0, Math.min(1, t));
        int r = (int) (40 + 215 * c);
        int g = (int) (50 + 170 * c);
        int b = (int) (140 - 110 * c);
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    private static String num(JsonNode v) {
        return v == null || !v.isNumber() ? "–" : String.format(Locale.ROOT, "%.4g", v.asDouble());
    }
}
