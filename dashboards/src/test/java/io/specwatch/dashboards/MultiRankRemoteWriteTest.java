package io.specwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.specwatch.examples.Examples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four monitor processes as ranks 0–3 of one job, with the environment torchrun gives them,
 * scraped by a Prometheus in agent mode (the shipped agent.yml) that remote-writes to a second,
 * receiving Prometheus with our rules: every matrix is analysed by exactly one rank, and the
 * receiver answers every dashboard query for all twelve matrices. Last, one rank stops while the
 * others go on, and the alert's expression names it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiRankRemoteWriteTest {

    private static final String JOB = "specwatch";
    private static final int RANKS = 4;
    private static final int STEPS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The synthetic example's 3 blocks of 4 matrices, named here independently of its code. */
    private static final List<String> LAYERS = layers();

    @TempDir
    static Path dir;

    private Processes processes;
    private PrometheusApi receiver;
    private final List<Process> ranks = new ArrayList<>();

    private static List<String> layers() {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            for (String kind : List.of("attn.q", "attn.o", "mlp.up", "mlp.down")) {
                out.add("blocks." + b + "." + kind + ".weight");
            }
        }
        return List.copyOf(new TreeSet<>(out));
    }

    @BeforeAll
    void startRanksAgentAndReceiver() throws Exception {
        processes = new Processes(dir);
        int receiverPort = PrometheusApi.freePort();
        int agentPort = PrometheusApi.freePort();
        int basePort = PrometheusApi.freePorts(RANKS);

        StringBuilder receiverConfig = new StringBuilder("global:\n  evaluation_interval: 1s\nrule_files:\n");
        for (Path rules : Paths.ruleFiles()) {
            receiverConfig.append("  - ").append(rules).append('\n');
        }
        Path receiverFile = Files.writeString(dir.resolve("receiver.yml"), receiverConfig);
        processes.binary("prometheus", "receiver.log", "--config.file=" + receiverFile, "--storage.tsdb.path=" + dir.resolve("receiver-data"),
                "--web.listen-address=127.0.0.1:" + receiverPort, "--web.enable-remote-write-receiver", "--log.level=warn");

        // the shipped agent configuration, pointed at this test's ranks and receiver, scraping every second
        ObjectNode agent = (ObjectNode) YAML.readTree(Paths.PROMETHEUS.resolve("agent.yml").toFile());
        ((ObjectNode) agent.path("global")).put("scrape_interval", "1s");
        ObjectNode job = (ObjectNode) agent.path("scrape_configs").get(0);
        assertEquals(JOB, job.path("job_name").asText());
        ArrayNode targets = ((ObjectNode) job.path("static_configs").get(0)).putArray("targets");
        for (int r = 0; r < RANKS; r++) {
            targets.add("127.0.0.1:" + (basePort + r));
        }
        ObjectNode write = (ObjectNode) agent.path("remote_write").get(0);
        write.put("url", "http://127.0.0.1:" + receiverPort + "/api/v1/write");
        ((ObjectNode) write.path("queue_config")).put("batch_send_deadline", "1s");
        Path agentFile = dir.resolve("agent.yml");
        YAML.writeValue(agentFile.toFile(), agent);
        processes.binary("prometheus", "agent.log", "--enable-feature=agent", "--config.file=" + agentFile,
                "--storage.agent.path=" + dir.resolve("agent-data"), "--web.listen-address=127.0.0.1:" + agentPort, "--log.level=warn");

        receiver = new PrometheusApi(receiverPort, processes.log("receiver.log"), processes.log("agent.log"), processes.log("rank3.err"));
        receiver.awaitTrue("the receiver ready", Duration.ofMinutes(1), () -> receiver.get("/api/v1/status/buildinfo", Map.of()) != null);
        receiver.startSeconds = System.currentTimeMillis() / 1000 - 1;
        for (int r = 0; r < RANKS; r++) {
            // what torchrun --nproc-per-node 4 sets (the rest of its variables do not matter here)
            Map<String, String> torchrun = Map.of("RANK", String.valueOf(r), "WORLD_SIZE", String.valueOf(RANKS),
                    "LOCAL_RANK", String.valueOf(r), "LOCAL_WORLD_SIZE", String.valueOf(RANKS), "GROUP_RANK", "0",
                    "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "29500", "TORCHELASTIC_RUN_ID", "test");
            ranks.add(processes.java("rank" + r, torchrun, Examples.class.getName(), "synthetic", "--blocks", "3", "--width", "96",
                    "--steps", String.valueOf(STEPS), "--every", "10", "--step-delay-ms", "30", "--port", String.valueOf(basePort),
                    "--linger", "600"));
        }
        receiver.awaitTrue("every rank's last snapshot (step " + STEPS + ") on the receiver", Duration.ofMinutes(4),
                () -> receiver.instant("specwatch_last_snapshot_step{job=\"" + JOB + "\"} == " + STEPS).size() == RANKS);
        Thread.sleep(5_000); // a few more scrapes and rule evaluations after the last change
    }

    @AfterAll
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    @Order(1)
    void everyMatrixIsAnalysedByExactlyOneRank() throws Exception {
        // what the ranks say (their JSON summaries) ...
        List<String> union = new ArrayList<>();
        Map<Integer, Double> seconds = new TreeMap<>();
        for (int r = 0; r < RANKS; r++) {
            String last = Files.readAllLines(processes.log("rank" + r + ".out")).stream().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no summary from a rank"));
            JsonNode summary = JSON.readTree(last);
            assertEquals(RANKS, summary.get("world_size").asInt());
            int rank = summary.get("rank").asInt();
            summary.get("layers").forEach(l -> union.add(l.asText()));
            seconds.put(rank, summary.get("analysis_seconds").asDouble());
        }
        assertEquals(new TreeSet<>(List.of(0, 1, 2, 3)), new TreeSet<>(seconds.keySet()), "ranks 0-3 from the environment");
        union.sort(null);
        assertEquals(LAYERS, union, "every matrix once across the ranks");
        System.out.println("analysis seconds per rank (not asserted): " + seconds);
        // ... and what the receiver holds: each layer's series come from one rank
        JsonNode perLayer = receiver.instant("count by (layer) (count by (layer, rank) (spectral_phase{job=\"" + JOB + "\"}))");
        Map<String, Integer> ranksPerLayer = new TreeMap<>();
        perLayer.forEach(s -> ranksPerLayer.put(s.path("metric").path("layer").asText(), s.path("value").get(1).asInt()));
        assertEquals(LAYERS, new ArrayList<>(ranksPerLayer.keySet()));
        assertTrue(ranksPerLayer.values().stream().allMatch(n -> n == 1), ranksPerLayer.toString());
        for (String metric : List.of("spectral_powerlaw_alpha_hill", "spectral_esd_gcount", "spectral_update_norm_ratio")) {
            JsonNode duplicated = receiver.instant("count by (layer) (" + metric + "{job=\"" + JOB + "\"}) > 1");
            assertEquals(0, duplicated.size(), metric + " duplicated: " + duplicated);
        }
    }

    @Test
    @Order(2)
    void theReceiverAnswersEveryDashboardQueryForAllTwelveMatrices() throws Exception {
        assertEquals(List.of("0", "1", "2", "3"), receiver.labelValues("rank", "specwatch_world_size{job=\"" + JOB + "\", model=\"synthetic\"}"));
        assertEquals(LAYERS, receiver.labelValues("layer", "spectral_phase{job=\"" + JOB + "\", model=\"synthetic\", rank=~\".*\"}"));
        assertEquals(List.of(), DashboardQueries.layersMissing(receiver, JOB, "synthetic", LAYERS), "per-layer panels without some layers");
        String all = "(" + String.join("|", LAYERS.stream().map(l -> l.replace(".", "\\\\.")).toList()) + ")";
        assertEquals(List.of(), DashboardQueries.emptyPanels(receiver, JOB, "synthetic", all), "panels that would stay empty");
    }

    @Test
    @Order(3)
    void theRulesEvaluateOnTheReceiverAcrossRanks() throws Exception {
        DashboardQueries.assertEveryRuleHealthy(receiver);
        List<String> empty = new ArrayList<>();
        for (RuleSet.Rule rule : RuleSet.load().recordings()) {
            if (!PrometheusApi.hasValues(receiver.range(rule.name() + "{job=\"" + JOB + "\"}"))) {
                empty.add(rule.name());
            }
        }
        assertEquals(List.of(), empty, "recording rules without data");
        JsonNode reporting = receiver.instant("model:specwatch_ranks_reporting:count{job=\"" + JOB + "\"}");
        assertEquals(RANKS, reporting.get(0).path("value").get(1).asInt());
        JsonNode spikes = receiver.instant("model:spectral_spikes:sum{job=\"" + JOB + "\"}");
        JsonNode direct = receiver.instant("sum(spectral_spikes{job=\"" + JOB + "\"})");
        assertEquals(direct.get(0).path("value").get(1).asDouble(), spikes.get(0).path("value").get(1).asDouble(), 0,
                "the recorded model-wide spikes sum every rank's layers");
        assertEquals(0, receiver.alerts("SpectralMonitorRankNotReporting", "pending").size() + receiver.alerts("SpectralMonitorRankNotReporting", "firing").size(),
                "no rank is missing yet");
    }

    @Test
    @Order(4)
    void aRankThatStopsWhileTheOthersGoOnIsNamedByTheAlert() throws Exception {
        Processes.stop(ranks.get(3));
        RuleSet.Rule alert = RuleSet.load().alerts().stream().filter(a -> a.name().equals("SpectralMonitorRankNotReporting")).findFirst().orElseThrow();
        receiver.awaitTrue("the alert's expression to name rank 3", Duration.ofMinutes(1), () -> {
            JsonNode result = receiver.instant(alert.expr());
            return result.size() == 1 && result.get(0).path("metric").path("rank").asText().equals("3");
        });
        receiver.awaitTrue("SpectralMonitorRankNotReporting pending for rank 3", Duration.ofMinutes(1),
                () -> receiver.alerts("SpectralMonitorRankNotReporting", "pending").stream()
                        .anyMatch(a -> a.path("labels").path("rank").asText().equals("3") && a.path("labels").path("job").asText().equals(JOB)));
        assertEquals(RANKS - 1, receiver.instant("count(specwatch_world_size{job=\"" + JOB + "\"})").get(0).path("value").get(1).asInt());
    }
}
