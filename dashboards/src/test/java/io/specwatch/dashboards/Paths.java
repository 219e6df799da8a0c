package io.specwatch.dashboards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the dashboards, rules and metric documentation live, from this module's folder. */
final class Paths {

    static final Path MODULE = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    static final Path PROMETHEUS = MODULE.resolve("prometheus");
    static final Path RULES = PROMETHEUS.resolve("rules");
    static final Path DASHBOARD = MODULE.resolve("grafana/specwatch-overview.json");
    static final Path ALERTMANAGER = MODULE.resolve("alertmanager/alertmanager.yml");

    private Paths() {
    }

    static List<Path> ruleFiles() throws IOException {
        try (Stream<Path> files = Files.list(RULES)) {
            return files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }
}
