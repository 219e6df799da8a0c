package io.specwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard read as JSON: datasource references, metric names, rates. */
class DashboardJsonTest {

    private JsonNode dashboard;
    private DashboardLint lint;
    private MetricCatalog catalog;

    @BeforeEach
    void load() throws Exception {
        dashboard = Dashboards.load();
        catalog = MetricCatalog.load();
        Set<String> recorded = RuleSet.load().recordings().stream().map(RuleSet.Rule::name).collect(Collectors.toSet());
        lint = new DashboardLint(catalog, recorded);
    }

    @Test
    void metricsDocumentationIsReadable() {
        // the catalogue is what the other checks trust: make sure it parsed the tables
        assertTrue(catalog.knows("spectral_powerlaw_alpha"));
        assertTrue(catalog.knows("spectral_esd_bucket"));
        assertTrue(catalog.isCounter("specwatch_snapshots_dropped_total"));
        assertTrue(catalog.knows("specwatch_world_size") && !catalog.isCounter("specwatch_world_size"));
        assertTrue(catalog.isCounter("specwatch_analysis_seconds_sum"));
        assertTrue(!catalog.isCounter("spectral_esd_bucket") && !catalog.isCounter("specwatch_pending_bytes"));
        assertTrue(catalog.kinds().size() > 35, "only " + catalog.kinds().size() + " metrics parsed");
    }

    @Test
    void dashboardHasNoProblems() {
        assertEquals(List.of(), lint.problems(dashboard));
    }

    @Test
    void variablesAreDatasourceJobModelRankLayer() {
        JsonNode vars = dashboard.path("templating").path("list");
        assertEquals(List.of("datasource", "job", "model", "rank", "layer"),
                vars.findValues("name").stream().map(JsonNode::asText).toList().subList(0, 5));
        assertTrue(vars.get(3).path("multi").asBoolean() && vars.get(3).path("includeAll").asBoolean(), "rank is multi-select with All");
        assertEquals(".*", vars.get(3).path("allValue").asText(), "All also matches series without a rank label");
        assertTrue(vars.get(4).path("multi").asBoolean(), "layer is multi-select");
        assertTrue(vars.get(4).path("definition").asText().contains("rank=~\"$rank\""), "the layers of the chosen ranks");
    }

    @Test
    void everyQueryOfALayerOrOfTheMonitorFiltersByRank() {
        List<String> unfiltered = new java.util.ArrayList<>();
        for (String expr : Dashboards.exprs(dashboard)) {
            boolean perLayerOrPerRank = expr.contains("$layer") || (expr.contains("specwatch_") && !expr.contains("specwatch_world_size"));
            if (perLayerOrPerRank && !expr.contains("rank=~\"$rank\"")) {
                unfiltered.add(expr);
            }
        }
        assertEquals(List.of(), unfiltered);
    }

    @Test
    void theRanksOfAJobHaveTheirPanels() {
        String all = String.join("\n", Dashboards.exprs(dashboard));
        assertTrue(all.contains("count by (model) (specwatch_world_size"), "ranks reporting");
        assertTrue(all.contains("max by (model) (specwatch_world_size"), "of the world size");
        assertTrue(all.contains("count by (model, rank) (spectral_phase"), "matrices per rank");
        assertTrue(all.contains("model:spectral_powerlaw_alpha_hill:avg"), "the whole model from the recording rules");
        assertTrue(dashboard.toString().contains("σ{{index}}"), "top singular values by index (rank is the process)");
    }

    @Test
    void everyPanelTheIssueAsksForIsThere() {
        List<JsonNode> panels = Dashboards.panels(dashboard);
        String all = String.join("\n", Dashboards.exprs(dashboard));
        for (String metric : List.of("spectral_powerlaw_alpha{", "spectral_powerlaw_alpha_hill{", "spectral_powerlaw_ks_distance",
                "spectral_powerlaw_tail_size", "spectral_spikes", "spectral_top_singular_value", "spectral_singular_vector_agreement",
                "spectral_update_norm_ratio", "specwatch_snapshots_total", "specwatch_snapshots_dropped_total",
                "specwatch_analysis_seconds_sum", "specwatch_pending_bytes")) {
            assertTrue(all.contains(metric), metric + " is on no panel");
        }
        assertTrue(panels.stream().anyMatch(p -> p.path("type").asText().equals("heatmap")
                && p.path("targets").get(0).path("expr").asText().contains("spectral_effective_rank_ratio")), "effective-rank heat-map");
        JsonNode esd = panels.stream().filter(p -> p.path("targets").get(0).path("expr").asText().contains("spectral_esd_bucket"))
                .findFirst().orElseThrow(() -> new AssertionError("no ESD panel"));
        assertEquals("heatmap", esd.path("type").asText());
        assertEquals("heatmap", esd.path("targets").get(0).path("format").asText(), "buckets need the heatmap format");
        assertEquals("layer", esd.path("repeat").asText(), "one ESD per chosen layer");
        assertTrue(panels.stream().anyMatch(p -> p.path("type").asText().equals("table")
                && p.path("targets").get(0).path("expr").asText().contains("spectral_phase")), "phase table");
    }

    // The checks themselves must catch what they claim to catch.

    @Test
    void lintCatchesAMissingDatasource() {
        ObjectNode broken = dashboard.deepCopy();
        ((ObjectNode) firstPanel(broken)).remove("datasource");
        assertTrue(lint.problems(broken).stream().anyMatch(p -> p.contains("does not use the ${datasource} variable")), lint.problems(broken).toString());
    }

    @Test
    void lintCatchesAnUnknownMetric() {
        ObjectNode broken = dashboard.deepCopy();
        ((ObjectNode) firstPanel(broken).path("targets").get(0)).put("expr", "spectral_powerlaw_alfa{layer=~\"$layer\"}");
        assertTrue(lint.problems(broken).stream().anyMatch(p -> p.contains("spectral_powerlaw_alfa")), lint.problems(broken).toString());
    }

    @Test
    void lintCatchesRateOfAGaugeAndOfTheGaugeHistogram() {
        ObjectNode broken = dashboard.deepCopy();
        ((ObjectNode) firstPanel(broken).path("targets").get(0)).put("expr",
                "rate(spectral_spikes[$__rate_interval]) + sum(rate(spectral_esd_bucket[$__rate_interval]))");
        List<String> problems = lint.problems(broken);
        assertTrue(problems.stream().anyMatch(p -> p.contains("rate() to spectral_spikes")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("rate() to spectral_esd_bucket")), problems.toString());
    }

    @Test
    void lintCatchesAFixedRateWindow() {
        ObjectNode broken = dashboard.deepCopy();
        ((ObjectNode) firstPanel(broken).path("targets").get(0)).put("expr", "rate(specwatch_snapshots_total[1m])");
        assertTrue(lint.problems(broken).stream().anyMatch(p -> p.contains("instead of [$__rate_interval]")), lint.problems(broken).toString());
    }

    @Test
    void ruleExpressionsUseOnlyDocumentedMetrics() throws Exception {
        for (RuleSet.Rule rule : RuleSet.load().rules()) {
            for (String metric : PromQl.metrics(rule.expr())) {
                assertTrue(catalog.knows(metric), rule.name() + " uses " + metric + ", not in docs/metrics.md");
            }
            for (PromQl.RangeCall call : PromQl.rangeCalls(rule.expr())) {
                assertTrue(catalog.isCounter(call.metric()), rule.name() + ": " + call.function() + "() of gauge " + call.metric());
            }
        }
    }

    private static JsonNode firstPanel(JsonNode dashboard) {
        for (JsonNode panel : dashboard.path("panels")) {
            if (!"row".equals(panel.path("type").asText())) {
                return panel;
            }
        }
        throw new AssertionError("no panel");
    }
}
