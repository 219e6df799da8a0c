package io.specwatch.dashboards;

import java.util.LinkedHashMap;
import java.util.Map;

import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.export.MonitorMeterBinder;

/**
 * The metric names the monitor exports with their Prometheus type, as a scraper sees them, read
 * from the code's own definitions (the metric catalogue and the monitor's binder): a summary
 * {@code x} appears as {@code x_count} and {@code x_sum}, the gauge histogram as {@code x_bucket},
 * {@code x_gcount}, {@code x_gsum}.
 */
record MetricCatalog(Map<String, Kind> kinds) {

    enum Kind {
        GAUGE, COUNTER
    }

    static MetricCatalog load() {
        Map<String, Kind> kinds = new LinkedHashMap<>();
        for (Field f : MetricCatalogue.exported()) {
            kinds.put(f.export().name(), Kind.GAUGE);
        }
        MonitorMeterBinder.OWN_METRICS.forEach((name, type) -> {
            switch (type) {
                case "gauge histogram" -> {
                    kinds.put(name + "_bucket", Kind.GAUGE);
                    kinds.put(name + "_gcount", Kind.GAUGE);
                    kinds.put(name + "_gsum", Kind.GAUGE);
                }
                case "summary" -> {
                    kinds.put(name + "_count", Kind.COUNTER);
                    kinds.put(name + "_sum", Kind.COUNTER);
                }
                case "counter" -> kinds.put(name, Kind.COUNTER);
                default -> kinds.put(name, Kind.GAUGE);
            }
        });
        return new MetricCatalog(kinds);
    }

    boolean knows(String name) {
        return kinds.containsKey(name);
    }

    boolean isCounter(String name) {
        return kinds.get(name) == Kind.COUNTER;
    }
}
