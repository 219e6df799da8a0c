package io.specwatch.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TestReports;
import io.specwatch.monitor.TrainingPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history writer and reader, runs, and the report drawn from what they wrote — including issue 16's failures. */
class HistoryTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void whatIsWrittenIsReadBackRecordForRecordUnderOneRunId() throws Exception {
        Path file = dir.resolve("sub/h.jsonl");
        List<LayerReport> reports = TestReports.twoSnapshots("m");
        String run;
        try (HistoryWriter writer = new HistoryWriter(file, 16)) {
            run = writer.runId();
            writer.accept(reports);
            writer.accept(reports.subList(0, 1));
            writer.acceptTraining(new TrainingPoint(10, 1_700_000_000_000L, "accuracy", "fraction", Map.of("train", 0.5)));
        }
        List<JsonNode> records = HistoryReader.read(file);
        assertEquals(4, records.size(), "layer records only");
        assertEquals(List.of("fc1", "fc2", "tiny", "fc1"), records.stream().map(r -> r.get("layer").asText()).toList());
        assertEquals(reports.get(0).report().alphaHill(), records.get(0).get("alpha_hill").asDouble(), 0);
        assertEquals(16, records.get(0).get("eigenvalues").size());
        List<String> lines = Files.readAllLines(file);
        assertEquals(6, lines.size(), "header, 4 layer records, 1 training record");
        JsonNode header = JSON.readTree(lines.get(0));
        assertEquals("run", header.get("record").asText());
        assertEquals(run, header.get("run").asText());
        for (String line : lines) {
            assertEquals(run, JSON.readTree(line).get("run").asText(), line);
        }
        JsonNode training = JSON.readTree(lines.get(5));
        assertEquals("training", training.get("record").asText());
        assertEquals(0.5, training.get("values").get("train").asDouble(), 0);
    }

    @Test
    void aTruncatedLastLineIsSkippedAndABrokenOneElsewhereIsAnError() throws Exception {
        Path file = dir.resolve("h.jsonl");
        try (HistoryWriter writer = new HistoryWriter(file, 0)) {
            writer.accept(TestReports.twoSnapshots("m"));
        }
        Files.writeString(file, "{\"step\": 40, \"layer\": \"fc", StandardOpenOption.APPEND);
        assertEquals(3, HistoryReader.read(file).size());
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Files.write(file, List.of(lines.get(0), lines.get(1), "{not json", lines.get(2)));
        IOException e = assertThrows(IOException.class, () -> HistoryReader.read(file));
        assertTrue(e.getMessage().contains("h.jsonl:3"), e.getMessage());
    }

    /** Issue 16: a last line cut inside a UTF-8 character failed the whole report with "Input length = 1". */
    @Test
    void aLastLineCutInsideAUtf8CharacterIsSkipped() throws Exception {
        Path file = dir.resolve("h.jsonl");
        try (HistoryWriter writer = new HistoryWriter(file, 0)) {
            writer.accept(TestReports.twoSnapshots("m"));
        }
        byte[] cut = "{\"step\": 40, \"layer\": \"caf".getBytes(StandardCharsets.UTF_8);
        Files.write(file, cut, StandardOpenOption.APPEND);
        Files.write(file, new byte[] {(byte) 0xC3}, StandardOpenOption.APPEND); // first byte of "é"
        HistoryReader.Contents c = HistoryReader.read(file, HistoryReader.Limits.DEFAULT);
        assertEquals(4, c.records().size(), "header and 3 layer records");
        assertEquals(Map.of("records cut off at the end of the file", 1), c.warnings().counts());
    }

    /**
     * Issue 16: resuming after a crash appended the first new record onto the cut line, and the
     * file could never be read again. Now the new run starts on a fresh line with its own id.
     */
    @Test
    void runningAgainAfterACrashStartsANewRunOnAFreshLine() throws Exception {
        Path file = dir.resolve("h.jsonl");
        String first;
        try (HistoryWriter writer = new HistoryWriter(file, 8)) {
            first = writer.runId();
            writer.accept(TestReports.twoSnapshots("m"));
        }
        Files.writeString(file, "{\"step\": 40, \"layer\": \"fc1\", \"alp", StandardOpenOption.APPEND); // the crash
        String second;
        try (HistoryWriter writer = new HistoryWriter(file, 8)) {
            second = writer.runId();
            writer.accept(TestReports.twoSnapshots("m"));
        }
        assertNotEquals(first, second);
        List<String> lines = Files.readAllLines(file);
        assertEquals("{\"step\": 40, \"layer\": \"fc1\", \"alp", lines.get(4), "the cut record keeps its own line");
        HistoryReader.Contents c = HistoryReader.read(file, HistoryReader.Limits.DEFAULT);
        assertEquals(Map.of("records cut off at the end of a run", 1), c.warnings().counts());
        List<String> runs = c.records().stream().filter(HistoryRecords::isLayer).map(HistoryRecords::runId).toList();
        assertEquals(List.of(first, first, first, second, second, second), runs);
        HtmlReport.Rendered report = HtmlReport.render(List.of(file), HistoryReader.Limits.DEFAULT, "t");
        assertEquals(2, report.runs(), "one history, two runs: overlaid, not mixed into one zig-zag series");
        assertEquals(6, report.records());
    }

    /** A write that failed mid-run (a full disk) may leave part of a line; the writer goes on after a resume marker. */
    @Test
    void aLineCutBeforeAResumeMarkerIsSkipped() throws Exception {
        Path file = dir.resolve("h.jsonl");
        Files.write(file, List.of("{\"record\":\"run\",\"run\":\"r1\"}", "{\"run\":\"r1\",\"step\":1,\"layer\":\"a\"}",
                "{\"run\":\"r1\",\"step\":2,\"la", "{\"record\":\"resume\",\"run\":\"r1\"}", "{\"run\":\"r1\",\"step\":3,\"layer\":\"a\"}"));
        assertEquals(List.of(1L, 3L), HistoryReader.read(file).stream().map(r -> r.get("step").asLong()).toList());
    }

    /** Issue 16: the report spun forever on these records (HtmlReport.esd) or threw ArrayIndexOutOfBoundsException. */
    @Test
    void unusableNumbersAreSkippedAndCountedNeverSpun() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        StringJoiner equal = new StringJoiner(",");
        for (int i = 0; i < 200; i++) {
            equal.add("1.0");
        }
        Files.write(file, List.of(
                "{\"step\":1,\"layer\":\"inf\",\"eigenvalues\":[1.0,2.0,1e400],\"alpha\":2.0,\"xmin\":1.0,\"tail_size\":2,\"n_evals\":3}",
                "{\"step\":1,\"layer\":\"equal\",\"eigenvalues\":[" + equal + "],\"alpha\":3.0,\"xmin\":1e-300,\"tail_size\":200,\"n_evals\":200}",
                "{\"step\":1,\"layer\":\"unsorted\",\"eigenvalues\":[3.0,1.0,2.0],\"alpha\":2.5,\"xmin\":1.0,\"tail_size\":3,\"n_evals\":3}",
                "{\"step\":1,\"layer\":\"huge\",\"alpha\":1e999,\"sv_max\":2.0}"));
        HtmlReport.Rendered report = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> HtmlReport.render(List.of(file), HistoryReader.Limits.DEFAULT, "t"));
        assertEquals(4, report.records());
        assertEquals(1, report.warnings().size(), "one line for the file");
        String w = report.warnings().get(0);
        assertTrue(w.contains("bad.jsonl") && w.contains("1 × non-finite numbers") && w.contains("2 × eigenvalues not finite, non-negative and ascending")
                && w.contains("1 × xmin outside the spectrum"), w);
        HistoryReader.Contents c = HistoryReader.read(file, HistoryReader.Limits.DEFAULT);
        assertFalse(c.records().get(0).has("eigenvalues"));
        assertTrue(c.records().get(1).get("xmin").isNull());
        assertEquals(200, c.records().get(1).get("eigenvalues").size(), "equal eigenvalues are usable, the absurd xmin is not");
        assertTrue(c.records().get(3).get("alpha").isNull());
    }

    @Test
    void recordsAndFilesBeyondTheLimitsAreSkippedOrRefused() throws Exception {
        Path file = dir.resolve("big.jsonl");
        Files.write(file, List.of("{\"step\":1,\"layer\":\"a\"}", "{\"step\":2,\"layer\":\"" + "x".repeat(5000) + "\"}", "{\"step\":3,\"layer\":\"a\"}"));
        HistoryReader.Contents c = HistoryReader.read(file, new HistoryReader.Limits(1 << 20, 1000));
        assertEquals(2, c.records().size());
        assertEquals(Map.of("records longer than 1000 bytes", 1), c.warnings().counts());
        IOException e = assertThrows(IOException.class, () -> HistoryReader.read(file, new HistoryReader.Limits(2000, 1000)));
        assertTrue(e.getMessage().contains("big.jsonl") && e.getMessage().contains("limit"), e.getMessage());
        // an endless input (no newline, no end) is bounded by the limit, not by memory or patience
        IOException endless = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(IOException.class, () -> HistoryReader.read(Path.of("/dev/zero"), new HistoryReader.Limits(4 << 20, 1 << 16))));
        assertTrue(endless.getMessage().startsWith("/dev/zero: larger than"), endless.getMessage());
    }

    /** Issue 16: an unwritable --history path stopped the job with a 20-line stack trace. */
    @Test
    void anUnwritableHistoryFailsWithOneLineNamingTheFile() throws Exception {
        Files.createDirectories(dir.resolve("a-directory"));
        for (Path bad : List.of(Path.of("/proc/x/h.jsonl"), dir.resolve("a-directory"), Path.of("/dev/full"))) {
            IOException e = assertThrows(IOException.class, () -> new HistoryWriter(bad, 200));
            assertTrue(e.getMessage().startsWith("cannot write the history " + bad + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void theReportEmbedsEveryLayerAndEscapesNames() throws Exception {
        Path file = dir.resolve("h.jsonl");
        try (HistoryWriter writer = new HistoryWriter(file, 64)) {
            writer.accept(TestReports.twoSnapshots("m"));
        }
        Path odd = dir.resolve("odd.jsonl");
        Files.writeString(odd, "{\"step\":1,\"layer\":\"</script><b>x\",\"sv_max\":1.5}\n");
        HtmlReport.Rendered r = HtmlReport.render(List.of(file, odd), HistoryReader.Limits.DEFAULT, "run <1> & co");
        assertTrue(r.html().contains("<title>run &lt;1&gt; &amp; co</title>"));
        assertFalse(r.html().contains("</script><b>"), "a layer name cannot end the data's script element");
        assertTrue(r.html().contains("\\u003c/script>\\u003cb>x"));
        for (String layer : List.of("\"fc1\"", "\"fc2\"", "\"tiny\"")) {
            assertTrue(r.html().contains(layer), layer);
        }
        assertEquals(2, r.runs());
        assertFalse(r.html().contains("src=\"http"), "nothing is fetched");
        List<String> scripts = new ArrayList<>();
        for (int i = r.html().indexOf("<script"); i >= 0; i = r.html().indexOf("<script", i + 1)) {
            scripts.add(r.html().substring(i, Math.min(r.html().length(), i + 12)));
        }
        assertEquals(3, scripts.size(), "ECharts, the charts, the data: all inline");
    }
}
