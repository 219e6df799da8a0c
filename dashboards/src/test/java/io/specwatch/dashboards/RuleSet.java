package io.specwatch.dashboards;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The recording and alerting rules of dashboards/prometheus/rules, read from their YAML. */
record RuleSet(List<Rule> rules) {

    /** One rule: {@code name} is the alert name or the recorded series. */
    record Rule(String name, boolean alert, String expr, Map<String, String> labels, Map<String, String> annotations) {
    }

    static RuleSet load() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Rule> rules = new ArrayList<>();
        for (Path file : Paths.ruleFiles()) {
            for (JsonNode group : yaml.readTree(file.toFile()).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    boolean alert = rule.has("alert");
                    rules.add(new Rule(alert ? rule.get("alert").asText() : rule.get("record").asText(), alert,
                            rule.get("expr").asText(), strings(rule.path("labels")), strings(rule.path("annotations"))));
                }
            }
        }
        return new RuleSet(rules);
    }

    List<Rule> alerts() {
        return rules.stream().filter(Rule::alert).toList();
    }

    List<Rule> recordings() {
        return rules.stream().filter(r -> !r.alert()).toList();
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
