package io.specwatch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;
import org.junit.jupiter.api.Test;

/** docs/metrics.md and the code's definitions (the metric catalogue and the monitor's binder) list the same metrics. */
class MetricsDocumentationTest {

    private static final Path DOC = Path.of("..", "docs", "metrics.md");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`((?:spectral|specwatch)_[a-z0-9_]+)`\\s*\\|(.*)\\|\\s*$");
    private static final Pattern LABEL = Pattern.compile("`([a-z_]+)`");

    /** name → the row's cells after the name. */
    private static Map<String, List<String>> documented() throws Exception {
        Map<String, List<String>> rows = new TreeMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                List<String> cells = new ArrayList<>();
                for (String c : m.group(2).split("(?<!\\\\)\\|")) {
                    cells.add(c.strip());
                }
                rows.put(m.group(1), cells);
            }
        }
        return rows;
    }

    @Test
    void everyPerLayerGaugeIsDocumentedWithItsUnitAndLabel() throws Exception {
        Map<String, List<String>> doc = documented();
        Map<String, String> units = new TreeMap<>();
        Map<String, String> labels = new TreeMap<>();
        for (Field f : MetricCatalogue.exported()) {
            Field.Export e = f.export();
            String previous = units.put(e.name(), e.unit());
            assertTrue(previous == null || previous.equals(e.unit()), e.name() + " has two units in the catalogue");
            labels.put(e.name(), e.labelName() == null ? "" : e.labelName());
        }
        for (var e : units.entrySet()) {
            List<String> row = doc.get(e.getKey());
            assertTrue(row != null, e.getKey() + " is exported but not in docs/metrics.md");
            assertEquals(e.getValue(), row.get(0), "unit of " + e.getKey());
            Matcher label = LABEL.matcher(row.get(1));
            assertEquals(labels.get(e.getKey()), label.find() ? label.group(1) : "", "extra label of " + e.getKey());
        }
    }

    @Test
    void theMonitorsOwnMetricsAreDocumentedWithTheirType() throws Exception {
        Map<String, List<String>> doc = documented();
        java.util.Map<String, String> own = new java.util.LinkedHashMap<>(MonitorMeterBinder.OWN_METRICS);
        own.putAll(io.specwatch.source.checkpoint.WatcherMetrics.METRICS);
        own.putAll(SpecwatchServer.METRICS);
        own.forEach((name, type) -> {
            List<String> row = doc.get(name);
            assertTrue(row != null, name + " is exported but not in docs/metrics.md");
            assertTrue(row.get(0).startsWith(type), name + " is a " + type + ", documented as " + row.get(0));
        });
    }

    @Test
    void everyDocumentedMetricIsExported() throws Exception {
        for (String name : documented().keySet()) {
            boolean known = MonitorMeterBinder.OWN_METRICS.containsKey(name) || io.specwatch.source.checkpoint.WatcherMetrics.METRICS.containsKey(name)
                    || SpecwatchServer.METRICS.containsKey(name)
                    || MetricCatalogue.exported().stream().anyMatch(f -> f.export().name().equals(name));
            assertTrue(known, name + " is documented but nothing exports it");
        }
    }

    @Test
    void theSpectraStartWithSpectralAndTheMonitorsOwnHealthWithSpecwatch() {
        for (Field f : MetricCatalogue.exported()) {
            assertTrue(f.export().name().startsWith("spectral_"), f.export().name());
        }
        MonitorMeterBinder.OWN_METRICS.forEach((name, type) -> assertTrue(
                name.equals(io.specwatch.collector.EsdHistogramCollector.NAME) ? name.startsWith("spectral_") : name.startsWith("specwatch_"), name));
    }
}
