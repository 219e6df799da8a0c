package io.specwatch.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a history file. A malformed last line (a write cut off by a crash) is skipped; a
 * malformed line anywhere else is an error naming its line number.
 */
public final class HistoryReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryReader() {
    }

    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                if (node == null || !node.isObject()) {
                    throw new IOException(file + ":" + (i + 1) + ": not a JSON object");
                }
                records.add(node);
            } catch (JsonProcessingException e) {
                if (i == lines.size() - 1) {
                    break; // truncated last record
                }
                throw new IOException(file + ":" + (i + 1) + ": malformed record: " + e.getOriginalMessage());
            }
        }
        return records;
    }
}
