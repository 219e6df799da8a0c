package io.specwatch.catalogue;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.MatrixReport;

/**
 * The JSON records of reports, written from {@link MetricCatalogue}: flat snake_case fields in
 * catalogue order, null for whatever does not apply (JSON has no NaN). {@code specwatch analyze}
 * writes {@link #matrix}, the history and the live page {@link #layer}.
 */
public final class ReportRecords {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReportRecords() {
    }

    /** The record of one tensor ({@code analyze --format json}); {@code withEigenvalues} adds the sorted ESD. */
    public static ObjectNode matrix(MatrixReport r, boolean withEigenvalues) {
        ObjectNode o = MAPPER.createObjectNode();
        for (Field f : MetricCatalogue.fields(Field.Scope.MATRIX)) {
            put(o, f, f.value(r));
        }
        if (withEigenvalues) {
            if (r.eigenvalues() == null) {
                o.putNull("eigenvalues");
            } else {
                putValues(o.putArray("eigenvalues"), r.eigenvalues());
            }
        }
        return o;
    }

    /**
     * The history record of one layer report: identity, the tensor's fields, the dynamics, and the
     * ESD downsampled to at most {@code eigenvaluePoints} values (0: none).
     */
    public static ObjectNode layer(LayerReport r, int eigenvaluePoints) {
        ObjectNode o = MAPPER.createObjectNode();
        for (Field f : MetricCatalogue.fields()) {
            put(o, f, f.value(r));
        }
        if (eigenvaluePoints > 0 && r.report().eigenvalues() != null) {
            putValues(o.putArray("eigenvalues"), downsample(r.report().eigenvalues(), eigenvaluePoints));
        }
        return o;
    }

    /** Writes one field's value, or null when it does not apply. */
    static void put(ObjectNode o, Field f, Object value) {
        if (value == null) {
            switch (f.type()) {
                case LIST -> o.putArray(f.key());
                case MAP -> o.putObject(f.key());
                default -> o.putNull(f.key());
            }
            return;
        }
        switch (f.type()) {
            case REAL -> o.put(f.key(), ((Number) value).doubleValue());
            case COUNT -> {
                if (value instanceof Long l) {
                    o.put(f.key(), l);
                } else {
                    o.put(f.key(), ((Number) value).intValue());
                }
            }
            case TEXT -> o.put(f.key(), (String) value);
            case SHAPE -> {
                ArrayNode shape = o.putArray(f.key());
                for (long d : (long[]) value) {
                    shape.add(d);
                }
            }
            case LIST -> putValues(o.putArray(f.key()), (double[]) value);
            case MAP -> {
                ObjectNode named = o.putObject(f.key());
                @SuppressWarnings("unchecked")
                Map<String, Double> map = (Map<String, Double>) value;
                map.forEach((name, v) -> {
                    if (v == null || !Double.isFinite(v)) {
                        named.putNull(name);
                    } else {
                        named.put(name, v);
                    }
                });
            }
        }
    }

    private static void putValues(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(v);
        }
    }

    /** At most {@code points} values of an ascending array, evenly spaced in rank, always keeping both ends. */
    public static double[] downsample(double[] ascending, int points) {
        if (ascending.length <= points) {
            return ascending.clone();
        }
        double[] out = new double[points];
        for (int i = 0; i < points; i++) {
            out[i] = ascending[(int) Math.round((double) i * (ascending.length - 1) / (points - 1))];
        }
        return out;
    }
}
