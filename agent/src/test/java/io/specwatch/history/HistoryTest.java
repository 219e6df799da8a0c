package io.specwatch.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TestReports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history writer and reader, and the report drawn from what they wrote. */
class HistoryTest {

    @TempDir
    Path dir;

    @Test
    void whatIsWrittenIsReadBackRecordForRecord() throws Exception {
        Path file = dir.resolve("sub/h.jsonl");
        List<LayerReport> reports = TestReports.twoSnapshots("m");
        try (HistoryWriter writer = new HistoryWriter(file, 16)) {
            writer.accept(reports);
            writer.accept(reports.subList(0, 1));
        }
        List<JsonNode> records = HistoryReader.read(file);
        assertEquals(4, records.size());
        assertEquals(List.of("fc1", "fc2", "tiny", "fc1"), records.stream().map(r -> r.get("layer").asText()).toList());
        assertEquals(reports.get(0).report().alphaHill(), records.get(0).get("alpha_hill").asDouble(), 0);
        assertEquals(16, records.get(0).get("eigenvalues").size());
        assertEquals(1, Files.readAllLines(file).stream().filter(l -> l.contains("\"layer\":\"tiny\"")).count());
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
        Files.write(file, List.of(lines.get(0), "{not json", lines.get(1)));
        IOException e = assertThrows(IOException.class, () -> HistoryReader.read(file));
        assertTrue(e.getMessage().contains("h.jsonl:2"), e.getMessage());
    }

    @Test
    void theReportDrawsEveryLayerAndEscapesNames() throws Exception {
        Path file = dir.resolve("h.jsonl");
        try (HistoryWriter writer = new HistoryWriter(file, 64)) {
            writer.accept(TestReports.twoSnapshots("m"));
        }
        List<JsonNode> records = HistoryReader.read(file);
        String html = HtmlReport.render(records, "run <1> & co");
        assertTrue(html.contains("<title>run &lt;1&gt; &amp; co</title>"));
        for (String layer : List.of("fc1", "fc2", "tiny")) {
            assertTrue(html.contains("<h2>" + layer + "</h2>"), layer);
        }
        assertEquals(3, count(html, "class=\"esd\""), "one ESD per layer");
        assertEquals(2, count(html, "class=\"heatmap\""));
        assertTrue(count(html, "class=\"series\"") >= 3 * 6, "the catalogue's charts for each layer");
    }

    static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
