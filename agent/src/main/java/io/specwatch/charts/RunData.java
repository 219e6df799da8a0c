package io.specwatch.charts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;

/**
 * One run as the charts read it, built the same way for the live page and the report: per layer
 * the series of the charted fields against the step (columns, null where a value does not apply),
 * the latest record with its {@link EsdPlot}, and the training values by metric. Only the latest
 * record of each layer keeps its eigenvalues, so memory grows with the charted numbers only.
 */
public final class RunData {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Field> CHARTS = MetricCatalogue.charts();

    private final String id;
    private final String label;
    private final JsonNode header;
    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Map<String, JsonNode> latest = new LinkedHashMap<>();
    private final Map<String, Training> training = new LinkedHashMap<>();

    /**
     * @param id     the run id ({@code ""} for a history without run ids)
     * @param label  what the legend calls the run
     * @param header the run's header record, or null
     */
    public RunData(String id, String label, JsonNode header) {
        this.id = id;
        this.label = label;
        this.header = header;
    }

    /** The same run under another legend label and header (known once its whole file is read). */
    public RunData(RunData run, String label, JsonNode header) {
        this.id = run.id;
        this.label = label;
        this.header = header != null ? header : run.header;
        this.series.putAll(run.series);
        this.latest.putAll(run.latest);
        this.training.putAll(run.training);
    }

    public String id() {
        return id;
    }

    /** Adds a layer record (history or live): its charted values to the series; kept as the latest when its step is the newest. */
    public void addLayer(JsonNode record) {
        String layer = record.path("layer").asText("");
        long step = record.path("step").asLong();
        series.computeIfAbsent(layer, k -> new Series()).add(step, record);
        JsonNode previous = latest.get(layer);
        if (previous == null || previous.path("step").asLong() <= step) {
            latest.put(layer, record);
        }
    }

    /** Adds a training record ({@code step, metric, unit, values}). */
    public void addTraining(JsonNode record) {
        String metric = record.path("metric").asText("");
        Training t = training.computeIfAbsent(metric, k -> new Training(record.path("unit").asText("")));
        record.path("values").fields().forEachRemaining(e -> t.add(e.getKey(), record.path("step").asLong(), e.getValue()));
    }

    public boolean isEmpty() {
        return series.isEmpty() && training.isEmpty();
    }

    /** The run for the charts: {@code id, label, header, layers, latest, series, training}. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("label", label);
        o.set("header", header == null ? JSON.createObjectNode() : header);
        ArrayNode layers = o.putArray("layers");
        series.keySet().forEach(layers::add);
        ObjectNode last = o.putObject("latest");
        latest.forEach((layer, record) -> {
            ObjectNode copy = record.deepCopy();
            EsdPlot plot = EsdPlot.of(record);
            copy.remove("eigenvalues");
            if (plot != null) {
                copy.set("esd", plot.toJson());
            }
            last.set(layer, copy);
        });
        ObjectNode s = o.putObject("series");
        series.forEach((layer, points) -> s.set(layer, points.toJson()));
        ArrayNode t = o.putArray("training");
        training.forEach((metric, values) -> t.add(values.toJson(metric)));
        return o;
    }

    /** The charted fields of one layer as columns. */
    private static final class Series {
        private final ArrayNode steps = JSON.createArrayNode();
        private final Map<String, ArrayNode> columns = new LinkedHashMap<>();

        Series() {
            for (Field f : CHARTS) {
                columns.put(f.key(), JSON.createArrayNode());
            }
        }

        void add(long step, JsonNode record) {
            int n = steps.size();
            boolean same = n > 0 && steps.get(n - 1).asLong() == step;
            if (same) {
                // the same step again (the final weights at a due step): the newer values win
                steps.remove(n - 1);
                columns.values().forEach(c -> c.remove(n - 1));
            }
            steps.add(step);
            for (Field f : CHARTS) {
                JsonNode v = record.get(f.key());
                if (v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
                    columns.get(f.key()).add(v);
                } else {
                    columns.get(f.key()).addNull();
                }
            }
        }

        ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.set("step", steps);
            columns.forEach(o::set);
            return o;
        }
    }

    /** The named series of one training metric. */
    private static final class Training {
        private final String unit;
        private final Map<String, ArrayNode[]> series = new LinkedHashMap<>();

        Training(String unit) {
            this.unit = unit;
        }

        void add(String name, long step, JsonNode value) {
            ArrayNode[] s = series.computeIfAbsent(name, k -> new ArrayNode[] {JSON.createArrayNode(), JSON.createArrayNode()});
            s[0].add(step);
            if (value != null && value.isNumber() && Double.isFinite(value.asDouble())) {
                s[1].add(value);
            } else {
                s[1].addNull();
            }
        }

        ObjectNode toJson(String metric) {
            ObjectNode o = JSON.createObjectNode();
            o.put("metric", metric);
            o.put("unit", unit);
            ObjectNode s = o.putObject("series");
            series.forEach((name, columns) -> s.putObject(name).<ObjectNode>set("step", columns[0]).set("value", columns[1]));
            return o;
        }
    }
}
