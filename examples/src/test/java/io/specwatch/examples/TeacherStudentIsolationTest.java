package io.specwatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.history.HistoryReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The teacher-student run does not depend on what ran before it on the same thread. PyTorch's
 * autograd mode is per thread, and DJL switches it off only on the thread that loads the engine:
 * on any other thread it is on, and an in-place update of W was refused there (exit 1), which made
 * the reproduction tests pass or fail with the order the test classes happened to run in.
 */
class TeacherStudentIsolationTest {

    @TempDir
    Path dir;

    List<JsonNode> run(boolean gradMode, String name) throws Exception {
        Engine.getInstance();
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(gradMode);
        try {
            Path history = dir.resolve(name);
            MlpExampleTest.Run r = MlpExampleTest.run("teacher-student", "--optimizer", "adam", "--lr", "0.1", "--steps", "2",
                    "--n", "200", "--d", "100", "--h", "150", "--every", "1", "--port", "0", "--history", history.toString());
            assertEquals(0, r.exit(), r.out());
            return HistoryReader.read(history);
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    @Test
    void theSameRunWithAutogradLeftOnOrOff() throws Exception {
        List<JsonNode> off = run(false, "off.jsonl");
        List<JsonNode> on = run(true, "on.jsonl");
        assertEquals(3, off.size());
        assertEquals(off.size(), on.size());
        for (int i = 0; i < off.size(); i++) {
            assertEquals(off.get(i).get("sv_max").asDouble(), on.get(i).get("sv_max").asDouble(), 0, "step " + i);
            assertEquals(off.get(i).get("alpha_hill").asDouble(), on.get(i).get("alpha_hill").asDouble(), 0, "step " + i);
        }
        Files.deleteIfExists(dir.resolve("on.jsonl"));
    }
}
