package io.specwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/** The dashboard's queries and the rules, run against a real Prometheus that holds a job's data. */
final class DashboardQueries {

    private DashboardQueries() {
    }

    /** A query as Grafana sends it with these variable values ({@code $rank}: all ranks). */
    static String expand(String expr, String job, String model, String layers) {
        return expr.replace("$__rate_interval", "10s").replace("$job", job).replace("$model", model)
                .replace("$rank", ".*").replace("$layer", layers);
    }

    /** Every panel query that returns nothing (or, for range queries, no values), as "title: query". */
    static List<String> emptyPanels(PrometheusApi prometheus, String job, String model, String layers) throws Exception {
        List<String> empty = new ArrayList<>();
        int checked = 0;
        for (JsonNode panel : Dashboards.panels(Dashboards.load())) {
            for (JsonNode target : panel.path("targets")) {
                String expr = expand(target.path("expr").asText(), job, model, layers);
                boolean instantOnly = target.path("instant").asBoolean() && !target.path("range").asBoolean();
                JsonNode result = instantOnly ? prometheus.instant(expr) : prometheus.range(expr);
                checked++;
                if (result.isEmpty() || !(instantOnly || PrometheusApi.hasValues(result))) {
                    empty.add(panel.path("title").asText() + ": " + expr);
                }
            }
        }
        if (checked < 20) {
            throw new AssertionError("only " + checked + " queries");
        }
        return empty;
    }

    /**
     * For every panel query of one layer or more ({@code $layer}), the layers it shows no data for,
     * as "title: layers". A query that keeps the layer label is run once for all of them; one that
     * sums it away (the ESD heat-map, repeated per layer) once per layer.
     */
    static List<String> layersMissing(PrometheusApi prometheus, String job, String model, List<String> layers) throws Exception {
        List<String> missing = new ArrayList<>();
        String all = "(" + String.join("|", layers.stream().map(l -> l.replace(".", "\\\\.")).toList()) + ")";
        for (JsonNode panel : Dashboards.panels(Dashboards.load())) {
            for (JsonNode target : panel.path("targets")) {
                String raw = target.path("expr").asText();
                if (!raw.contains("$layer")) {
                    continue;
                }
                boolean instantOnly = target.path("instant").asBoolean() && !target.path("range").asBoolean();
                JsonNode result = run(prometheus, expand(raw, job, model, all), instantOnly);
                TreeSet<String> found = new TreeSet<>();
                boolean labelled = false;
                for (JsonNode series : result) {
                    if (series.path("metric").has("layer")) {
                        labelled = true;
                        found.add(series.path("metric").path("layer").asText());
                    }
                }
                if (!labelled) {
                    for (String layer : layers) {
                        if (!run(prometheus, expand(raw, job, model, layer.replace(".", "\\\\.")), instantOnly).isEmpty()) {
                            found.add(layer);
                        }
                    }
                }
                TreeSet<String> absent = new TreeSet<>(layers);
                absent.removeAll(found);
                if (!absent.isEmpty()) {
                    missing.add(panel.path("title").asText() + " (" + raw + "): " + absent);
                }
            }
        }
        return missing;
    }

    private static JsonNode run(PrometheusApi prometheus, String expr, boolean instantOnly) throws Exception {
        JsonNode result = instantOnly ? prometheus.instant(expr) : prometheus.range(expr);
        if (instantOnly) {
            return result;
        }
        List<JsonNode> withValues = new ArrayList<>();
        result.forEach(s -> {
            if (s.path("values").size() > 0) {
                withValues.add(s);
            }
        });
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(withValues);
    }

    /** Every rule of our files loaded and evaluated without an error. */
    static void assertEveryRuleHealthy(PrometheusApi prometheus) throws Exception {
        JsonNode groups = prometheus.get("/api/v1/rules", Map.of()).path("data").path("groups");
        int rules = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                assertEquals("ok", rule.path("health").asText(), rule.path("name").asText() + ": " + rule.path("lastError").asText());
            }
        }
        assertEquals(RuleSet.load().rules().size(), rules, "every rule loaded");
    }
}
