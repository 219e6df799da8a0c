package io.specwatch.dashboards;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The mistakes a dashboard can make that Grafana does not report: a panel or query without the
 * datasource variable, a metric the monitor does not export (checked against docs/metrics.md and
 * the recording rules), {@code rate()} over a gauge (a gauge histogram's buckets included), and a
 * rate window other than {@code $__rate_interval}.
 */
final class DashboardLint {

    private final MetricCatalog catalog;
    private final Set<String> recorded;

    DashboardLint(MetricCatalog catalog, Set<String> recordedSeries) {
        this.catalog = catalog;
        this.recorded = recordedSeries;
    }

    /** Every problem found, one line each; empty when the dashboard is sound. */
    List<String> problems(JsonNode dashboard) {
        List<String> problems = new ArrayList<>();
        JsonNode variables = dashboard.path("templating").path("list");
        if (variables.size() == 0 || !"datasource".equals(variables.get(0).path("type").asText())
                || !"prometheus".equals(variables.get(0).path("query").asText())) {
            problems.add("the first variable must be a Prometheus datasource variable");
        }
        for (JsonNode variable : variables) {
            if ("query".equals(variable.path("type").asText())) {
                checkDatasource(variable.path("datasource"), "variable " + variable.path("name").asText(), problems);
                checkExpr(variable.path("definition").asText(), "variable " + variable.path("name").asText(), problems);
            }
        }
        for (JsonNode panel : Dashboards.panels(dashboard)) {
            String where = "panel '" + panel.path("title").asText() + "'";
            checkDatasource(panel.path("datasource"), where, problems);
            JsonNode targets = panel.path("targets");
            if (targets.size() == 0) {
                problems.add(where + " has no query");
            }
            for (JsonNode target : targets) {
                checkDatasource(target.path("datasource"), where + " query " + target.path("refId").asText(), problems);
                checkExpr(target.path("expr").asText(), where, problems);
            }
        }
        return problems;
    }

    private static void checkDatasource(JsonNode datasource, String where, List<String> problems) {
        if (!"${datasource}".equals(datasource.path("uid").asText()) || !"prometheus".equals(datasource.path("type").asText())) {
            problems.add(where + " does not use the ${datasource} variable (found " + datasource + ")");
        }
    }

    private void checkExpr(String expr, String where, List<String> problems) {
        if (expr.isBlank()) {
            problems.add(where + " has an empty expression");
            return;
        }
        for (String metric : PromQl.metrics(expr)) {
            if (!catalog.knows(metric) && !recorded.contains(metric)) {
                problems.add(where + " uses " + metric + ", which is neither in docs/metrics.md nor a recording rule");
            }
        }
        for (PromQl.RangeCall call : PromQl.rangeCalls(expr)) {
            if (!catalog.isCounter(call.metric())) {
                problems.add(where + " applies " + call.function() + "() to " + call.metric() + ", which is not a counter");
            }
            if (!"$__rate_interval".equals(call.range())) {
                problems.add(where + " uses [" + call.range() + "] instead of [$__rate_interval] in " + call.function() + "()");
            }
        }
    }
}
