package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified {@code mlp} example, run through bin/specwatch-example: once with its own
 * listener (the library path), once with {@code --no-monitor} and the agent. Both must export the
 * same layers and snapshot steps, on /metrics and in the history; the training is deterministic,
 * so the agent must even see the same weights (σ₁ of every layer at every step).
 */
class MlpAttachIT {

    private static final Duration LONG = Duration.ofMinutes(3);
    private static final Set<String> LAYERS = Set.of("01Linear_weight", "03Linear_weight", "05Linear_weight");
    /** The documented schedule for every=20 over 60 steps: 0, the dense start 1, 2, 4, 8, 16, the multiples, the final weights. */
    private static final List<Long> STEPS = List.of(0L, 1L, 2L, 4L, 8L, 16L, 20L, 40L, 60L);

    @TempDir
    Path dir;

    @Test
    void theAgentOnTheUnmodifiedExampleExportsWhatItsListenerDoes() throws Exception {
        Path listenerHistory = dir.resolve("listener.jsonl");
        Job.Running listener = Job.example("mlp", "--steps", "60", "--hidden", "64", "--every", "20", "--port", "0",
                "--history", listenerHistory.toString(), "--linger", "120").start(dir);
        int listenerPort = listener.metricsPort(LONG);
        JsonNode listenerSummary = json(listener.awaitLine(true, l -> l.startsWith("{\"train_seconds\""), LONG));
        Scraped listenerMetrics = Scraped.parse(Job.get(listenerPort, "/metrics"));
        listener.kill();

        Path agentHistory = dir.resolve("agent.jsonl");
        Job.Running agent = Job.example("mlp", "--steps", "60", "--hidden", "64", "--no-monitor")
                .env("JAVA_OPTS", Job.agent("port=0,every=20,model=mlp,history=" + agentHistory + ",linger=120"))
                .start(dir);
        int agentPort = agent.metricsPort(LONG);
        agent.awaitLine(false, l -> l.startsWith("specwatch: the job is done"), LONG);
        Scraped agentMetrics = Scraped.parse(Job.get(agentPort, "/metrics"));
        Job.Result agentRun = agent.finish(Duration.ofSeconds(60));

        assertEquals(0, agentRun.exit(), agentRun.toString());
        JsonNode agentSummary = json(agentRun.lastLine());
        assertEquals(60, agentSummary.get("steps").asInt());
        assertEquals(0, agentSummary.get("snapshots").asInt(), "the example's own monitor was off: " + agentSummary);
        assertEquals(9, listenerSummary.get("snapshots").asInt(), listenerSummary.toString());
        assertTrue(agentRun.agentLines().stream().anyMatch(l -> l.contains("watching the Trainer of model mlp")), agentRun.toString());

        // /metrics: the same layers, snapshots and last step, and σ₁ of each layer
        assertEquals(LAYERS, listenerMetrics.labelValues("spectral_stable_rank", "layer"));
        assertEquals(LAYERS, agentMetrics.labelValues("spectral_stable_rank", "layer"));
        Map<String, String> mlp = Map.of("model", "mlp");
        assertEquals(9.0, agentMetrics.value("specwatch_snapshots_total", mlp));
        assertEquals(60.0, agentMetrics.value("specwatch_last_snapshot_step", mlp));
        assertEquals(listenerMetrics.value("specwatch_last_snapshot_step", mlp), agentMetrics.value("specwatch_last_snapshot_step", mlp));
        for (String layer : LAYERS) {
            Map<String, String> labels = Map.of("model", "mlp", "layer", layer);
            assertEquals(listenerMetrics.value("spectral_singular_value_max", labels), agentMetrics.value("spectral_singular_value_max", labels),
                    layer);
        }

        // the history: one run each, the same records
        History fromListener = History.read(listenerHistory);
        History fromAgent = History.read(agentHistory);
        assertEquals(1, fromAgent.runs().size());
        assertEquals("mlp", fromAgent.runs().get(0).get("model").asText());
        assertEquals(20, fromAgent.runs().get(0).get("settings").get("every").asInt());
        assertEquals(STEPS, new ArrayList<>(fromAgent.steps()));
        assertEquals(LAYERS, fromAgent.layerNames());
        assertEquals(fromListener.stepLayerSigma(), fromAgent.stepLayerSigma(), "the same weights at the same steps");
    }

    private static JsonNode json(String line) throws Exception {
        return new ObjectMapper().readTree(line);
    }
}
