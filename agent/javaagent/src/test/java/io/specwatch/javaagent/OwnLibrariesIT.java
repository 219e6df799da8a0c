package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import io.specwatch.javaagent.apps.OwnJacksonJob;

/**
 * A job with its own Jackson (another version than specwatch's) and its own SLF4J 2 with a backend:
 * with the agent, the job's JSON is written by its Jackson, and the agent's history and /metrics by
 * its relocated copies.
 */
class OwnLibrariesIT {

    private static final Duration LONG = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void aJobWithItsOwnJacksonAndSlf4jWorksAndIsWatched() throws Exception {
        String jackson = System.getProperty("app.jackson.version");
        Path history = dir.resolve("own.jsonl");
        Job.Running running = Job.java("-Dai.djl.offline=true", Job.agent("port=0,every=5,model=own,linger=120,history=" + history),
                        "-cp", Job.djlApplication(System.getProperty("djl.version"), "jackson-" + jackson), OwnJacksonJob.class.getName(),
                        "--steps", "10")
                .in(dir).start(dir.resolve("logs"));
        int port = running.metricsPort(LONG);
        running.awaitLine(false, l -> l.startsWith("specwatch: the job is done"), LONG);
        Scraped metrics = Scraped.parse(Job.get(port, "/metrics"));
        Job.Result r = running.finish(LONG);

        assertEquals(0, r.exit(), r.toString());
        JsonNode own = new ObjectMapper().readTree(r.lastLine());
        assertEquals(jackson, own.get("jackson").asText(), "the job's Jackson is its own: " + r);
        assertEquals(3, own.get("read_back").asInt());
        assertFalse(r.err().contains("\tat "), r.toString());

        History h = History.read(history);
        assertEquals(List.of(0L, 1L, 2L, 4L, 5L, 10L), new ArrayList<>(h.steps()));
        assertEquals("own", h.runs().get(0).get("model").asText());
        assertEquals(Set.of("01Linear_weight", "03Linear_weight"), metrics.labelValues("spectral_stable_rank", "layer"));
        assertEquals(10.0, metrics.value("specwatch_last_snapshot_step", Map.of("model", "own")));
        assertTrue(metrics.labelValues("specwatch_build_info", "version").contains(System.getProperty("specwatch.version")));
    }
}
