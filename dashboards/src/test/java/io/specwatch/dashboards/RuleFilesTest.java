package io.specwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The rules as Prometheus itself reads them: promtool check and promtool's unit tests. */
class RuleFilesTest {

    @Test
    void rulesAndConfigPassPromtoolCheck() throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "rules"));
        for (Path p : Paths.ruleFiles()) {
            args.add(Paths.PROMETHEUS.relativize(p).toString());
        }
        Promtool.Result rules = Promtool.run(Paths.PROMETHEUS, args.toArray(String[]::new));
        assertEquals(0, rules.exitCode(), rules.output());
        Promtool.Result config = Promtool.run(Paths.PROMETHEUS, "check", "config", "prometheus.yml");
        assertEquals(0, config.exitCode(), config.output());
        Promtool.Result agent = Promtool.run(Paths.PROMETHEUS, "check", "config", "--agent", "agent.yml");
        assertEquals(0, agent.exitCode(), agent.output());
    }

    @Test
    void theAlertmanagerConfigPassesAmtoolAndRoutesBySeverity() throws Exception {
        Promtool.Result check = Promtool.runTool("amtool", Paths.MODULE, "check-config", Paths.ALERTMANAGER.toString());
        assertEquals(0, check.exitCode(), check.output());
        for (String severity : List.of("critical", "warning", "info")) {
            Promtool.Result route = Promtool.runTool("amtool", Paths.MODULE, "config", "routes", "test",
                    "--config.file=" + Paths.ALERTMANAGER, "severity=" + severity, "alertname=SpectralNonFiniteWeights");
            assertEquals(0, route.exitCode(), route.output());
            // amtool warns on stderr that --config.file overrides --alertmanager.url
            assertEquals(List.of("specwatch-" + severity), route.output().lines().filter(l -> !l.startsWith("Warning:")).toList(), severity);
        }
        // every severity our alerts use has its receiver
        for (RuleSet.Rule alert : RuleSet.load().alerts()) {
            assertTrue(Files.readString(Paths.ALERTMANAGER).contains("severity=\"" + alert.labels().get("severity") + "\""), alert.name());
        }
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        try (Stream<Path> tests = Files.list(Paths.PROMETHEUS.resolve("tests"))) {
            tests.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(p -> args.add(Paths.PROMETHEUS.relativize(p).toString()));
        }
        assertTrue(args.size() > 2, "no promtool test files");
        Promtool.Result result = Promtool.run(Paths.PROMETHEUS, args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("SUCCESS"), result.output());
    }

    @Test
    void everyAlertIsTestedFiringAndNotFiring() throws Exception {
        RuleSet rules = RuleSet.load();
        String tests;
        try (Stream<Path> files = Files.list(Paths.PROMETHEUS.resolve("tests"))) {
            StringBuilder all = new StringBuilder();
            for (Path p : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                all.append(Files.readString(p));
            }
            tests = all.toString();
        }
        for (RuleSet.Rule alert : rules.alerts()) {
            String name = alert.name();
            assertTrue(tests.matches("(?s).*alertname: " + name + "\\s+exp_alerts: \\[\\].*"), name + " is never tested not firing");
            assertTrue(tests.matches("(?s).*alertname: " + name + "\\s+exp_alerts:\\s+- exp_labels.*"), name + " is never tested firing");
        }
    }

    @Test
    void everyAlertHasASeverityAndADescriptionThatSaysWhatToDo() throws Exception {
        Set<String> severities = Set.of("critical", "warning", "info");
        List<RuleSet.Rule> alerts = RuleSet.load().alerts();
        assertFalse(alerts.isEmpty());
        for (RuleSet.Rule alert : alerts) {
            assertTrue(severities.contains(alert.labels().get("severity")), alert.name() + " severity " + alert.labels());
            String description = alert.annotations().getOrDefault("description", "");
            assertTrue(description.length() > 120, alert.name() + " needs a description that says what to do");
            assertTrue(alert.annotations().containsKey("summary"), alert.name() + " has no summary");
        }
    }
}
