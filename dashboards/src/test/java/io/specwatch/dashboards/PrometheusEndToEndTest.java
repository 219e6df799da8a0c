package io.specwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.specwatch.examples.Examples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real demo training job, scraped by the real Prometheus binary with our rules loaded and our
 * Alertmanager routing behind it: every dashboard query and every rule returns data, the
 * non-finite alert fires when the demo puts a NaN into a layer, and it reaches a webhook through
 * the real Alertmanager, routed as critical, with the layer and the model in its labels.
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

    private Thread demo;
    private Processes processes;
    private PrometheusApi prometheus;
    private HttpServer webhook;
    /** Webhook path (the receiver: /critical, /warning, /info) to the notifications it received. */
    private final Map<String, List<JsonNode>> notifications = new ConcurrentHashMap<>();

    @BeforeAll
    void startDemoAlertmanagerAndPrometheus() throws Exception {
        processes = new Processes(dir);
        int demoPort = PrometheusApi.freePort();
        int prometheusPort = PrometheusApi.freePort();
        int alertmanagerPort = PrometheusApi.freePort();

        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        webhook.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readNBytes(1 << 20);
                notifications.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new CopyOnWriteArrayList<>())
                        .add(JSON.readTree(body));
            } finally {
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            }
        });
        webhook.start();
        // the shipped routing, with its receivers pointed at this test's webhook
        String routing = Files.readString(Paths.ALERTMANAGER)
                .replace("http://127.0.0.1:5001/", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/");
        Path alertmanagerConfig = Files.writeString(dir.resolve("alertmanager.yml"), routing);
        processes.binary("prometheus-alertmanager", "alertmanager.log", "--config.file=" + alertmanagerConfig,
                "--storage.path=" + dir.resolve("alertmanager-data"), "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                "--cluster.listen-address=", "--log.level=warn");

        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ["127.0.0.1:%d"]
                rule_files:
                """.formatted(alertmanagerPort));
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
        processes.binary("prometheus", "prometheus.log", "--config.file=" + configFile, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort, "--log.level=warn");
        prometheus = new PrometheusApi(prometheusPort, processes.log("prometheus.log"), processes.log("alertmanager.log"));
        // Prometheus first, scraping before training starts: the demo's healthy phase (before its
        // NaN spreads to every layer) is then seen by many scrapes however fast the machine trains
        prometheus.awaitTrue("Prometheus ready", Duration.ofMinutes(1), () -> prometheus.get("/api/v1/targets", Map.of()).path("data")
                .path("activeTargets").size() == 1);
        prometheus.awaitTrue("Alertmanager known to Prometheus", Duration.ofMinutes(1), () -> prometheus.get("/api/v1/alertmanagers", Map.of())
                .path("data").path("activeAlertmanagers").size() == 1);
        prometheus.startSeconds = System.currentTimeMillis() / 1000 - 1;
        demo = new Thread(() -> Examples.commandLine().execute("mlp", "--steps", String.valueOf(STEPS), "--every", "20",
                "--port", String.valueOf(demoPort), "--inject-nan-at", String.valueOf(NAN_AT), "--step-delay-ms", String.valueOf(STEP_DELAY_MS),
                "--linger", "600"), "demo-training");
        demo.setDaemon(true);
        demo.start();

        // the demo ends training, analyses its last snapshot and lingers; Prometheus keeps scraping it
        prometheus.awaitTrue("the last snapshot (step " + STEPS + ") scraped", Duration.ofMinutes(4),
                () -> !prometheus.instant("specwatch_last_snapshot_step{job=\"" + JOB + "\"} == " + STEPS).isEmpty());
        Thread.sleep(5_000); // a few more scrapes and rule evaluations after the last change
    }

    @AfterAll
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
        if (demo != null) {
            demo.interrupt(); // ends the demo's linger; it closes its monitor and server
            demo.join(20_000);
        }
    }

    @Test
    void nonFiniteAlertFiresForTheLayerThatTurnedNaN() throws Exception {
        prometheus.awaitTrue("SpectralNonFiniteWeights firing", Duration.ofMinutes(1),
                () -> prometheus.alerts("SpectralNonFiniteWeights", "firing").size() > 0);
        List<JsonNode> alerts = prometheus.alerts("SpectralNonFiniteWeights", "firing");
        assertTrue(alerts.stream().anyMatch(a -> a.path("labels").path("layer").asText().equals("03Linear_weight")), alerts.toString());
        assertEquals("critical", alerts.get(0).path("labels").path("severity").asText());
        assertEquals("0", alerts.get(0).path("labels").path("rank").asText(), "a single process is rank 0");
        assertTrue(alerts.get(0).path("annotations").path("description").asText().contains("diverged"));
        // and the phase the dashboard's table shows
        assertEquals(1, prometheus.instant("spectral_phase{job=\"" + JOB + "\", layer=\"03Linear_weight\", phase=\"nonfinite\"} == 1").size());
    }

    @Test
    void theNonFiniteAlertReachesTheCriticalWebhookThroughAlertmanager() throws Exception {
        prometheus.awaitTrue("a SpectralNonFiniteWeights notification on /critical", Duration.ofMinutes(2),
                () -> nonFinite(notifications.getOrDefault("/critical", List.of())).size() > 0);
        JsonNode alert = nonFinite(notifications.get("/critical")).stream()
                .filter(a -> a.path("labels").path("layer").asText().equals("03Linear_weight")).findFirst()
                .orElseThrow(() -> new AssertionError("no notification for 03Linear_weight: " + notifications));
        assertEquals("firing", alert.path("status").asText());
        assertEquals("mlp", alert.path("labels").path("model").asText());
        assertEquals(JOB, alert.path("labels").path("job").asText());
        assertEquals("critical", alert.path("labels").path("severity").asText());
        assertTrue(alert.path("annotations").path("summary").asText().contains("mlp/03Linear_weight"), alert.toString());
        // routed by severity: every receiver got only its own
        notifications.forEach((path, received) -> {
            for (JsonNode n : received) {
                for (JsonNode a : n.path("alerts")) {
                    assertEquals(path.substring(1), a.path("labels").path("severity").asText(), "routed to " + path + ": " + a);
                }
            }
        });
    }

    private static List<JsonNode> nonFinite(List<JsonNode> received) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : received) {
            for (JsonNode a : n.path("alerts")) {
                if (a.path("labels").path("alertname").asText().equals("SpectralNonFiniteWeights")) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    @Test
    void dashboardVariablesFindTheJobModelRankAndLayers() throws Exception {
        assertTrue(prometheus.labelValues("job", "specwatch_snapshots_total").contains(JOB));
        assertTrue(prometheus.labelValues("model", "specwatch_snapshots_total{job=\"" + JOB + "\"}").contains("mlp"));
        assertEquals(List.of("0"), prometheus.labelValues("rank", "specwatch_world_size{job=\"" + JOB + "\", model=\"mlp\"}"));
        assertEquals(List.of("01Linear_weight", "03Linear_weight", "05Linear_weight"),
                prometheus.labelValues("layer", "spectral_phase{job=\"" + JOB + "\", model=\"mlp\", rank=~\".*\"}"));
    }

    @Test
    void everyDashboardQueryReturnsData() throws Exception {
        String layers = "(" + String.join("|", prometheus.labelValues("layer", "spectral_phase{job=\"" + JOB + "\"}")) + ")";
        List<String> empty = DashboardQueries.emptyPanels(prometheus, JOB, "mlp", layers);
        assertEquals(List.of(), empty, "panels that would stay empty");
    }

    @Test
    void everyRuleEvaluatesWithoutErrorOnRealData() throws Exception {
        DashboardQueries.assertEveryRuleHealthy(prometheus);
    }

    @Test
    void everyRecordingRuleRecordsData() throws Exception {
        List<String> empty = new ArrayList<>();
        for (RuleSet.Rule rule : RuleSet.load().recordings()) {
            if (!PrometheusApi.hasValues(prometheus.range(rule.name() + "{job=\"" + JOB + "\"}"))) {
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
                if (!PrometheusApi.hasValues(prometheus.range(selector))) {
                    missing.add(rule.name() + ": " + selector);
                }
            }
        }
        assertEquals(List.of(), missing, "alerts watching series the monitor does not export");
    }
}
