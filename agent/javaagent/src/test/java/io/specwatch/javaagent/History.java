package io.specwatch.javaagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A JSON Lines history file read as plain JSON (no specwatch code). */
record History(List<JsonNode> runs, List<JsonNode> layers) {

    static History read(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> runs = new ArrayList<>();
        List<JsonNode> layers = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = mapper.readTree(line);
            if (n.path("record").asText().equals("run")) {
                runs.add(n);
            } else if (n.has("step") && n.has("layer")) {
                layers.add(n);
            }
        }
        return new History(runs, layers);
    }

    SortedSet<Long> steps() {
        SortedSet<Long> out = new TreeSet<>();
        layers.forEach(n -> out.add(n.get("step").asLong()));
        return out;
    }

    SortedSet<String> layerNames() {
        SortedSet<String> out = new TreeSet<>();
        layers.forEach(n -> out.add(n.get("layer").asText()));
        return out;
    }

    /** "step layer sv_max" per record, sorted: what two runs of the same training must share. */
    List<String> stepLayerSigma() {
        List<String> out = new ArrayList<>();
        layers.forEach(n -> out.add(String.format("%06d %s %s", n.get("step").asLong(), n.get("layer").asText(), n.get("sv_max").asText())));
        out.sort(null);
        return out;
    }
}
