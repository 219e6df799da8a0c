package io.specwatch.dashboards;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names documented in docs/metrics.md with their Prometheus type, as a scraper sees
 * them: a summary documented as {@code x} appears as {@code x_count} and {@code x_sum}, the gauge
 * histogram as {@code x_bucket}, {@code x_gcount}, {@code x_gsum}.
 */
record MetricCatalog(Map<String, Kind> kinds) {

    enum Kind {
        GAUGE, COUNTER
    }

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(spectral_[a-z0-9_]+)`\\s*\\|(.*)$");

    static MetricCatalog load() throws IOException {
        Map<String, Kind> kinds = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Paths.METRICS_DOC)) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            String rest = m.group(2);
            if (rest.contains("gauge histogram")) {
                kinds.put(name + "_bucket", Kind.GAUGE);
                kinds.put(name + "_gcount", Kind.GAUGE);
                kinds.put(name + "_gsum", Kind.GAUGE);
            } else if (rest.contains("summary")) {
                kinds.put(name + "_count", Kind.COUNTER);
                kinds.put(name + "_sum", Kind.COUNTER);
            } else if (rest.strip().startsWith("counter |")) {
                kinds.put(name, Kind.COUNTER);
            } else {
                kinds.put(name, Kind.GAUGE);
            }
        }
        return new MetricCatalog(kinds);
    }

    boolean knows(String name) {
        return kinds.containsKey(name);
    }

    boolean isCounter(String name) {
        return kinds.get(name) == Kind.COUNTER;
    }
}
