package io.specwatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The mlp example through its command line, as bin/specwatch-example runs it. */
class MlpExampleTest {

    @TempDir
    Path dir;

    record Run(int exit, String out) {
        JsonNode summary() throws Exception {
            String[] lines = out.strip().split("\n");
            return new ObjectMapper().readTree(lines[lines.length - 1]);
        }
    }

    static Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new Examples()).execute(args);
            return new Run(exit, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void trainsWithTheMonitorAndSummarisesOnTheLastLine() throws Exception {
        Path history = dir.resolve("h.jsonl");
        Path report = dir.resolve("r.html");
        Run r = run("mlp", "--steps", "60", "--every", "20", "--port", "0", "--history", history.toString(),
                "--report", report.toString(), "--hidden", "64");
        assertEquals(0, r.exit());
        JsonNode s = r.summary();
        assertEquals(60, s.get("steps").asInt());
        // 0, 1, 2, 4, 8, 16 (dense start), 20, 40, and the final weights at 60
        assertEquals(9, s.get("snapshots").asInt());
        assertEquals(0, s.get("dropped").asInt());
        // the example's default, still in effect at the end: the monitor left it alone
        assertEquals(1, s.get("torch_threads").asInt());
        assertTrue(s.get("train_seconds").asDouble() > 0);
        assertTrue(s.get("max_pause_ms").asDouble() >= 0);
        assertTrue(s.get("test_accuracy").asDouble() > 0.2, "learned something: " + s);
        assertEquals(9 * 3, Files.readAllLines(history).size());
        assertTrue(Files.readString(report).contains("class=\"esd\""));
    }

    @Test
    void noMonitorTakesNoSnapshots() throws Exception {
        Run r = run("mlp", "--steps", "20", "--no-monitor", "--hidden", "32");
        assertEquals(0, r.exit());
        assertEquals(0, r.summary().get("snapshots").asInt());
    }

    @Test
    void torchThreadsFlagSetsTheTrainingThreadsCount() throws Exception {
        Run r = run("mlp", "--steps", "20", "--every", "10", "--port", "0", "--hidden", "32", "--torch-threads", "2",
                "--analysis-priority", "low");
        assertEquals(0, r.exit());
        assertEquals(2, r.summary().get("torch_threads").asInt());
        assertTrue(r.summary().get("snapshots").asInt() > 0);
    }

    @Test
    void aTakenPortLeavesTrainingAndTheHistoryAlone() throws Exception {
        Path history = dir.resolve("h.jsonl");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream originalErr = System.err;
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            Run r = run("mlp", "--steps", "20", "--every", "10", "--port", String.valueOf(taken.getLocalPort()), "--hidden", "16",
                    "--history", history.toString());
            assertEquals(0, r.exit());
            assertTrue(r.summary().get("snapshots").asInt() > 0);
        } finally {
            System.setErr(originalErr);
        }
        String messages = err.toString(StandardCharsets.UTF_8);
        assertTrue(messages.contains("the port is in use") && messages.contains("training goes on without /metrics"), messages);
        assertTrue(Files.readAllLines(history).size() > 0, "the history is still written");
    }

    @Test
    void badFlagsFailClearly() {
        assertEquals(2, run("mlp", "--torch-threads", "-1").exit());
        assertEquals(2, run("mlp", "--analysis-priority", "lowest").exit());
        assertEquals(2, run("mlp", "--steps", "0").exit());
        assertEquals(2, run("mlp", "--report", dir.resolve("r.html").toString()).exit());
    }
}
