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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.examples.Examples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short two-rank job that nothing scrapes pushes to the real Pushgateway: one group per job and
 * rank, and the final push, after the last snapshot, leaves the job's end state there.
 */
class PushgatewayTest {

    private static final int STEPS = 100;
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

    @TempDir
    Path dir;

    @Test
    void twoRanksPushTheirMetricsGroupedByJobAndRankWithAFinalPush() throws Exception {
        try (Processes processes = new Processes(dir)) {
            int port = PrometheusApi.freePort();
            // Debian's build persists to /var/lib/prometheus by default: keep this one in memory
            processes.binary("prometheus-pushgateway", "pushgateway.log", "--web.listen-address=127.0.0.1:" + port, "--persistence.file=",
                    "--log.level=warn");
            PrometheusApi gateway = new PrometheusApi(port, processes.log("pushgateway.log"), processes.log("rank0.err"), processes.log("rank1.err"));
            gateway.awaitTrue("the Pushgateway ready", Duration.ofMinutes(1), () -> gateway.text("/-/ready") != null);

            List<Process> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                // no periodic push within the run (an hour apart): what arrives is the final push
                ranks.add(processes.java("rank" + r, Map.of("RANK", String.valueOf(r), "WORLD_SIZE", "2", "LOCAL_RANK", String.valueOf(r)),
                        Examples.class.getName(), "synthetic", "--blocks", "3", "--width", "64", "--steps", String.valueOf(STEPS),
                        "--every", "10", "--port", "0", "--push", "http://127.0.0.1:" + port, "--push-job", "nightly-finetune",
                        "--push-every", "3600"));
            }
            for (int r = 0; r < 2; r++) {
                assertTrue(ranks.get(r).waitFor(3, TimeUnit.MINUTES), "rank " + r + " did not finish");
                assertEquals(0, ranks.get(r).exitValue(), Files.readString(processes.log("rank" + r + ".err")));
            }

            JsonNode groups = gateway.get("/api/v1/metrics", Map.of()).path("data");
            TreeSet<String> keys = new TreeSet<>();
            groups.forEach(g -> keys.add(g.path("labels").path("job").asText() + "/" + g.path("labels").path("rank").asText()));
            assertEquals(new TreeSet<>(List.of("nightly-finetune/0", "nightly-finetune/1")), keys, "one group per job and rank");

            Map<String, Double> lastStep = new TreeMap<>();
            Map<String, String> layerRank = new TreeMap<>();
            List<String> conflicts = new ArrayList<>();
            for (String line : gateway.text("/metrics").split("\n")) {
                Matcher m = SAMPLE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                Map<String, String> labels = labels(m.group(2));
                if (m.group(1).equals("specwatch_last_snapshot_step")) {
                    assertEquals("nightly-finetune", labels.get("job"));
                    lastStep.put(labels.get("rank"), Double.parseDouble(m.group(3)));
                } else if (m.group(1).equals("spectral_phase")) {
                    String previous = layerRank.put(labels.get("layer"), labels.get("rank"));
                    if (previous != null && !previous.equals(labels.get("rank"))) {
                        conflicts.add(labels.get("layer"));
                    }
                }
            }
            assertEquals(Map.of("0", (double) STEPS, "1", (double) STEPS), lastStep, "the final push carries the last snapshot");
            assertEquals(12, layerRank.size(), "every matrix of the job, pushed by its rank: " + layerRank);
            assertEquals(List.of(), conflicts, "a layer pushed by two ranks");
            assertEquals(new TreeSet<>(List.of("0", "1")), new TreeSet<>(layerRank.values()));
        }
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = LABEL.matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }
}
