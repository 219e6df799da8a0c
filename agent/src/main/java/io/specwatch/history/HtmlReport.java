package io.specwatch.history;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.charts.ChartPage;
import io.specwatch.charts.RunData;

/**
 * The report of one or more history files: one self-contained HTML file (the chart front-end of
 * {@link ChartPage} with ECharts and the data inlined) that opens offline. Every run of every file
 * is overlaid on the same step axes, with a legend of the runs.
 */
public final class HtmlReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A rendered report.
     *
     * @param html     the page
     * @param records  layer records read
     * @param runs     runs shown
     * @param warnings one line per file that had records or numbers skipped
     */
    public record Rendered(String html, long records, int runs, List<String> warnings) {
    }

    private HtmlReport() {
    }

    /**
     * Reads the histories (within {@code limits}) and renders them.
     *
     * @throws IOException when a file cannot be read or is malformed (the message names it)
     */
    public static Rendered render(List<Path> histories, HistoryReader.Limits limits, String title) throws IOException {
        List<RunData> runs = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        long[] records = {0};
        for (Path file : histories) {
            Map<String, RunData> byId = new LinkedHashMap<>();
            Map<String, JsonNode> headers = new LinkedHashMap<>();
            String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
            HistoryReader.Warnings w = HistoryReader.read(file, limits, record -> {
                String id = HistoryRecords.runId(record);
                if (HistoryRecords.isRunHeader(record)) {
                    headers.put(id, record);
                    return;
                }
                RunData run = byId.computeIfAbsent(id, k -> new RunData(k, name, headers.get(k)));
                if (HistoryRecords.isLayer(record)) {
                    run.addLayer(record);
                    records[0]++;
                } else if (HistoryRecords.isTraining(record)) {
                    run.addTraining(record);
                }
            });
            if (w.total() > 0) {
                warnings.add(file + ": skipped " + w.summary());
            }
            List<RunData> fileRuns = byId.values().stream().filter(r -> !r.isEmpty()).toList();
            for (int i = 0; i < fileRuns.size(); i++) {
                RunData r = fileRuns.get(i);
                JsonNode header = headers.get(r.id());
                String label = fileRuns.size() == 1 ? name
                        : name + " · run " + (i + 1) + (header != null ? " (" + header.path("start").asText() + ")" : "");
                runs.add(new RunData(r, label, header));
            }
        }
        ObjectNode data = JSON.createObjectNode();
        data.put("title", title);
        data.set("catalogue", ChartPage.catalogue());
        ArrayNode out = data.putArray("runs");
        runs.forEach(r -> out.add(r.toJson()));
        ArrayNode warn = data.putArray("warnings");
        warnings.forEach(warn::add);
        return new Rendered(ChartPage.report(title, data), records[0], runs.size(), warnings);
    }
}
