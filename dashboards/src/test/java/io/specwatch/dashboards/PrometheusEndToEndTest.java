package io.specwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.specwatch.examples.Examples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The real demo training job, scraped by the real Prometheus binary with our rules loaded: every
 * dashboard query and every rule returns data, and the non-finite alert fires when the demo puts
 * a NaN into a layer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusEndToEndTest {

    private static final String JOB = "specwatch-e2e";
    private static final int STEPS = 3000;
    private static final int NAN_AT = 2200;
    /** 2200 healthy steps take at least 11 s: about 11 scrapes at 1 s before the NaN. */
    private static final int STEP_DELAY_MS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Thread demo;
    private Process prometheus;
    private int prometheusPort;
    private long startSeconds;

    @BeforeAll
    void startDemoAndPrometheus() throws Exception {
        Path binary = Promtool.binary("prometheus");
        int demoPort = freePort();
        prometheusPort = freePort();
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                """);
        for (Path rules : Paths.ruleFiles()) {
            config.append("  - ").append(rules).append('\n');
        }
        config.append("""
                scrape_configs:
                  - job_name: %s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(JOB, demoPort));
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
        prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + configFile, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        // Prometheus first, scraping before training starts: the demo's healthy phase (before its
        // NaN spreads to every layer) is then seen by many scrapes however fast the machine trains
        awaitTrue("Prometheus ready", Duration.ofMinutes(1), () -> get("/api/v1/targets", Map.of()).path("data")
                .path("activeTargets").size() == 1);
        startSeconds = System.currentTimeMillis() / 1000 - 1;
        demo = new Thread(() -> new CommandLine(new Examples()).execute("mlp", "--steps", String.valueOf(STEPS), "--every", "20",
                "--port", String.valueOf(demoPort), "--inject-nan-at", String.valueOf(NAN_AT), "--step-delay-ms", String.valueOf(STEP_DELAY_MS),
                "--linger", "600"), "demo-training");
        demo.setDaemon(true);
        demo.start();

        // the demo ends training, analyses its last snapshot and lingers; Prometheus keeps scraping it
        awaitTrue("the last snapshot (step " + STEPS + ") scraped", Duration.ofMinutes(4),
                () -> !instant("specwatch_last_snapshot_step{job=\"" + JOB + "\"} == " + STEPS).isEmpty());
        Thread.sleep(5_000); // a few more scrapes and rule evaluations after the last change
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (demo != null) {
            demo.interrupt(); // ends the demo's linger; it closes its monitor and server
            demo.join(20_000);
        }
    }

    @Test
    void nonFiniteAlertFiresForTheLayerThatTurnedNaN() throws Exception {
        awaitTrue("SpectralNonFiniteWeights firing", Duration.ofMinutes(1), () -> firing("SpectralNonFiniteWeights").size() > 0);
        List<JsonNode> alerts = firing("SpectralNonFiniteWeights");
        assertTrue(alerts.stream().anyMatch(a -> a.path("labels").path("layer").asText().equals("03Linear_weight")), alerts.toString());
        assertEquals("critical", alerts.get(0).path("labels").path("severity").asText());
        assertTrue(alerts.get(0).path("annotations").path("description").asText().contains("diverged"));
        // and the phase the dashboard's table shows
        assertEquals(1, instant("spectral_phase{job=\"" + JOB + "\", layer=\"03Linear_weight\", phase=\"nonfinite\"} == 1").size());
    }

    @Test
    void dashboardVariablesFindTheJobModelAndLayers() throws Exception {
        assertTrue(labelValues("job", "specwatch_snapshots_total").contains(JOB));
        assertTrue(labelValues("model", "specwatch_snapshots_total{job=\"" + JOB + "\"}").contains("mlp"));
        assertEquals(List.of("01Linear_weight", "03Linear_weight", "05Linear_weight"),
                labelValues("layer", "spectral_phase{job=\"" + JOB + "\", model=\"mlp\"}"));
    }

    @Test
    void everyDashboardQueryReturnsData() throws Exception {
        String layers = "(" + String.join("|", labelValues("layer", "spectral_phase{job=\"" + JOB + "\"}")) + ")";
        List<String> empty = new ArrayList<>();
        int checked = 0;
        for (JsonNode panel : Dashboards.panels(Dashboards.load())) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText().replace("$__rate_interval", "10s").replace("$job", JOB)
                        .replace("$model", "mlp").replace("$layer", layers);
                boolean instantOnly = target.path("instant").asBoolean() && !target.path("range").asBoolean();
                JsonNode result = instantOnly ? instant(expr) : range(expr);
                checked++;
                if (result.isEmpty() || !(instantOnly || hasValues(result))) {
                    empty.add(panel.path("title").asText() + ": " + expr);
                }
            }
        }
        assertTrue(checked >= 20, "only " + checked + " queries");
        assertEquals(List.of(), empty, "panels that would stay empty");
    }

    @Test
    void everyRuleEvaluatesWithoutErrorOnRealData() throws Exception {
        JsonNode groups = get("/api/v1/rules", Map.of()).path("data").path("groups");
        int rules = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                assertEquals("ok", rule.path("health").asText(), rule.path("name").asText() + ": " + rule.path("lastError").asText());
            }
        }
        assertEquals(RuleSet.load().rules().size(), rules, "every rule loaded");
    }

    @Test
    void everyRecordingRuleRecordsData() throws Exception {
        List<String> empty = new ArrayList<>();
        for (RuleSet.Rule rule : RuleSet.load().recordings()) {
            if (!hasValues(range(rule.name() + "{job=\"" + JOB + "\"}"))) {
                empty.add(rule.name());
            }
        }
        assertEquals(List.of(), empty);
    }

    @Test
    void everySeriesTheAlertsWatchExists() throws Exception {
        List<String> missing = new ArrayList<>();
        for (RuleSet.Rule rule : RuleSet.load().alerts()) {
            for (String selector : PromQl.selectors(rule.expr())) {
                if (!hasValues(range(selector))) {
                    missing.add(rule.name() + ": " + selector);
                }
            }
        }
        assertEquals(List.of(), missing, "alerts watching series the monitor does not export");
    }

    private List<JsonNode> firing(String alert) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : get("/api/v1/alerts", Map.of()).path("data").path("alerts")) {
            if (a.path("labels").path("alertname").asText().equals(alert) && a.path("state").asText().equals("firing")) {
                out.add(a);
            }
        }
        return out;
    }

    private JsonNode instant(String expr) throws Exception {
        return get("/api/v1/query", Map.of("query", expr)).path("data").path("result");
    }

    private JsonNode range(String expr) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        return get("/api/v1/query_range", Map.of("query", expr, "start", String.valueOf(startSeconds),
                "end", String.valueOf(now), "step", "1")).path("data").path("result");
    }

    private static boolean hasValues(JsonNode result) {
        for (JsonNode series : result) {
            if (series.path("values").size() > 0) {
                return true;
            }
        }
        return false;
    }

    private List<String> labelValues(String label, String match) throws Exception {
        JsonNode data = get("/api/v1/label/" + label + "/values", Map.of("match[]", match)).path("data");
        List<String> out = new ArrayList<>();
        data.forEach(v -> out.add(v.asText()));
        return new ArrayList<>(new TreeSet<>(out));
    }

    private JsonNode get(String path, Map<String, String> params) throws IOException, InterruptedException {
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        URI uri = URI.create("http://127.0.0.1:" + prometheusPort + path + (query.isEmpty() ? "" : "?" + query));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus answered " + response.statusCode() + " to " + uri + ": " + response.body());
        }
        return body;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private void awaitTrue(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException | AssertionError e) {
                last = e instanceof IOException io ? io : new IOException(e); // Prometheus still starting
            }
            Thread.sleep(500);
        }
        String log = Files.exists(dir.resolve("prometheus.log")) ? Files.readString(dir.resolve("prometheus.log")) : "";
        throw new AssertionError("timed out waiting for " + what + (last != null ? " (last error: " + last.getMessage() + ")" : "")
                + "\nprometheus log:\n" + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
