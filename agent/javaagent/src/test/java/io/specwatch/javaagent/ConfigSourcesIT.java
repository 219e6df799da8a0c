package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.specwatch.javaagent.apps.HandWrittenLoop;

/**
 * The three places settings come from, through a real agent: the argument wins over the
 * environment, which wins over the config file; the file holds what neither sets (here a regex with a comma).
 */
class ConfigSourcesIT {

    @TempDir
    Path dir;

    @Test
    void argumentOverEnvironmentOverFile() throws Exception {
        Path history = dir.resolve("h.jsonl");
        Path config = dir.resolve("specwatch.properties");
        Files.writeString(config, String.join("\n",
                "# a config file",
                "model=from-file",
                "every=7",
                "vectors=2",
                "include=0[1]Linear_w{1,2}eight",
                "history=" + history,
                "port=off"));
        Job.Result r = Job.java("-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        Job.agent("config=" + config + ",every=3"), "-cp", Job.djlApplication(System.getProperty("djl.version")),
                        HandWrittenLoop.class.getName(), "--steps", "9")
                .env("SPECWATCH_MODEL", "from-env")
                .env("SPECWATCH_EVERY", "5")
                .in(dir).run(dir.resolve("logs"), Duration.ofMinutes(3));
        assertEquals(0, r.exit(), r.toString());
        History h = History.read(history);
        JsonNode run = h.runs().get(0);
        assertEquals("from-env", run.get("model").asText(), "the environment over the file");
        assertEquals(3, run.get("settings").get("every").asInt(), "the argument over the environment and the file");
        assertEquals(2, run.get("settings").get("vectors").asInt(), "the file where nothing else says");
        assertEquals("0[1]Linear_w{1,2}eight", run.get("settings").get("include").asText());
        // every 3 with the dense start: 0, 1, 2, 3, 6, 9 (the last weights, due anyway)
        assertEquals(List.of(0L, 1L, 2L, 3L, 6L, 9L), new ArrayList<>(h.steps()));
        assertEquals(Set.of("01Linear_weight"), h.layerNames(), "the file's include");
    }
}
