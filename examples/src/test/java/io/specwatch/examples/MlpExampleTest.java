package io.specwatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    record Run(int exit, String out, String err) {
        Run(int exit, String out) {
            this(exit, out, "");
        }

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
        assertEquals(1 + 9 * 3, Files.readAllLines(history).size(), "the run's header and a record per layer per snapshot");
        String html = Files.readString(report);
        assertTrue(html.contains("specwatchCharts.start({\"mode\":\"report\"") && html.contains("\"03Linear_weight\""), "the report embeds its data");
    }

    /** Issue 16: an unwritable --history stopped the job with a stack trace; a full disk under --report lost the JSON summary. */
    @Test
    void historyAndReportThatCannotBeWrittenCostOneLineNotTheRun() throws Exception {
        Run unwritable = runCapturingErr("mlp", "--steps", "20", "--every", "10", "--port", "0", "--hidden", "32",
                "--history", "/proc/x/h.jsonl", "--report", dir.resolve("r.html").toString());
        assertEquals(0, unwritable.exit());
        assertEquals(20, unwritable.summary().get("steps").asInt(), "trained, and the summary is printed");
        assertTrue(unwritable.err().contains("specwatch: cannot write the history /proc/x/h.jsonl: /proc/x: "), unwritable.err());
        assertFalse(unwritable.err().contains("\tat "), "no stack trace: " + unwritable.err());

        Run full = runCapturingErr("mlp", "--steps", "20", "--every", "10", "--port", "0", "--hidden", "32",
                "--history", dir.resolve("h.jsonl").toString(), "--report", "/dev/full");
        assertEquals(0, full.exit());
        assertEquals(20, full.summary().get("steps").asInt());
        assertTrue(full.err().contains("specwatch: cannot write the report /dev/full: No space left on device"), full.err());
        assertFalse(full.err().contains("\tat "), "no stack trace: " + full.err());
    }

    /** Like {@link #run}, with what the example wrote to stderr. */
    static Run runCapturingErr(String... args) {
        java.io.PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Run r = run(args);
            return new Run(r.exit(), r.out(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
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
        assertEquals(2, run("mlp", "--http-cpu", "-1").exit());
        assertEquals(2, run("mlp", "--report", dir.resolve("r.html").toString()).exit());
    }
}
