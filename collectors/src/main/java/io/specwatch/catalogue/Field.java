package io.specwatch.catalogue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.MatrixReport;

/**
 * One number (or label) of a report, defined once: its JSON key, how it is read from a report and
 * what "does not apply" looks like (the reader returns null: JSON null, table "-", no Prometheus
 * sample), and, when it is exported, its Prometheus family. {@link MetricCatalogue} lists them all.
 *
 * @param key         JSON key in {@code analyze --format json} records and the history
 * @param type        how the value is written
 * @param scope       which part of a report holds it
 * @param read        reads the value from a layer report; null means "does not apply"
 * @param matrixRead  for {@link Scope#MATRIX} fields, the same read on a bare matrix report (else null)
 * @param export      the Prometheus family, or null when the field is not exported
 * @param chart       how the live page and the report chart it, or null when they do not
 */
public record Field(String key, Type type, Scope scope, Function<LayerReport, Object> read,
                    Function<MatrixReport, Object> matrixRead, Export export, Chart chart) {

    /** How a value is written. */
    public enum Type {
        /** A real number; NaN and ±∞ are written as "does not apply". */
        REAL,
        /** A whole number. */
        COUNT,
        /** A string (labels such as the phase). */
        TEXT,
        /** The tensor's dimensions, a long[]. */
        SHAPE,
        /** A list of reals, a double[] (the top singular values). */
        LIST,
        /** Named reals, a Map&lt;String, Double&gt; (tracked directions). */
        MAP
    }

    /** Which part of a report holds a field. */
    public enum Scope {
        /** Which snapshot and layer a record is about (history records only). */
        IDENTITY,
        /** The static metrics of one tensor: also what {@code specwatch analyze} writes. */
        MATRIX,
        /** The dynamics and exporter values of a layer across snapshots (history and /metrics). */
        LAYER
    }

    /**
     * A Prometheus gauge family fed by a field: one sample per layer, or, for labelled families,
     * one per label value.
     *
     * @param name        the Prometheus name ({@code spectral_…}); several fields may share one with different label values
     * @param unit        unit as documented in docs/metrics.md ("1" for dimensionless)
     * @param description the HELP text
     * @param labelName   an extra label beyond {@code model} and {@code layer}, or null
     * @param labelValue  this field's value of {@code labelName} (null when the value itself names the label values)
     */
    public record Export(String name, String unit, String description, String labelName, String labelValue) {
    }

    /**
     * How a field is charted (against the step, one line per layer) on the live page and in the
     * report. What does not apply (null) is a gap in the line.
     *
     * @param title   the chart's title
     * @param axis    the value axis' title, with the unit in parentheses
     * @param low     lower end of the healthy range (drawn as a band; a latest value outside it is
     *                flagged in the layer table), or null
     * @param high    upper end of the healthy range, or null
     * @param heatmap also drawn as a layer × step heat-map
     */
    public record Chart(String title, String axis, Double low, Double high, boolean heatmap) {
        public Chart {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(axis, "axis");
            if (!axis.contains("(")) {
                throw new IllegalArgumentException("the axis title of '" + title + "' must name its unit in parentheses");
            }
        }
    }

    public Field {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(read, "read");
    }

    /** The value in a layer report, null when it does not apply. */
    public Object value(LayerReport r) {
        Object v = read.apply(r);
        return v instanceof Double d && !Double.isFinite(d) ? null : v;
    }

    /** The value in a bare matrix report (MATRIX scope only), null when it does not apply. */
    public Object value(MatrixReport r) {
        if (matrixRead == null) {
            throw new IllegalStateException(key + " is not a matrix field");
        }
        Object v = matrixRead.apply(r);
        return v instanceof Double d && !Double.isFinite(d) ? null : v;
    }

    /**
     * The Prometheus samples of this field for a layer: label value (of {@link Export#labelName}, ""
     * when the family has none) to value; empty when nothing applies.
     */
    public Map<String, Double> samples(LayerReport r) {
        Object v = value(r);
        Map<String, Double> out = new LinkedHashMap<>();
        if (v == null || export == null) {
            return out;
        }
        switch (type) {
            case REAL, COUNT -> out.put(export.labelValue() == null ? "" : export.labelValue(), ((Number) v).doubleValue());
            case TEXT -> MetricCatalogue.oneHot(this, (String) v, out);
            case LIST -> {
                double[] values = (double[]) v;
                for (int i = 0; i < values.length; i++) {
                    out.put(Integer.toString(i + 1), values[i]);
                }
            }
            case MAP -> {
                @SuppressWarnings("unchecked")
                Map<String, Double> named = (Map<String, Double>) v;
                named.forEach((name, value) -> {
                    if (value != null && Double.isFinite(value)) {
                        out.put(name, value);
                    }
                });
            }
            case SHAPE -> throw new IllegalStateException("shapes are not exported");
        }
        return out;
    }

    Field exported(String name, String unit, String description) {
        return new Field(key, type, scope, read, matrixRead, new Export(name, unit, description, null, null), chart);
    }

    Field labelled(String labelName, String labelValue) {
        return new Field(key, type, scope, read, matrixRead,
                new Export(export.name(), export.unit(), export.description(), labelName, labelValue), chart);
    }

    Field charted(String title, String axis) {
        return new Field(key, type, scope, read, matrixRead, export, new Chart(title, axis, null, null, false));
    }

    /** The healthy range of a charted field. */
    Field healthy(double low, double high) {
        return new Field(key, type, scope, read, matrixRead, export, new Chart(chart.title(), chart.axis(), low, high, chart.heatmap()));
    }

    /** A charted field that is also drawn as a layer × step heat-map. */
    Field heatmap() {
        return new Field(key, type, scope, read, matrixRead, export, new Chart(chart.title(), chart.axis(), chart.low(), chart.high(), true));
    }
}
