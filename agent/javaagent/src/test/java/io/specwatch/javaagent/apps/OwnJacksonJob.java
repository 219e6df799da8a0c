package io.specwatch.javaagent.apps;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A DJL job that bundles a Jackson of its own and uses it before and after training: it prints
 * {@code {"jackson": VERSION, "read_back": ...}} written by its Jackson, then trains as {@link HandWrittenLoop}.
 */
public final class OwnJacksonJob {

    private OwnJacksonJob() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("jackson", mapper.version().toString());
        record.put("values", new int[] {1, 2, 3});
        JsonNode back = mapper.readTree(mapper.writeValueAsString(record));
        HandWrittenLoop.main(args);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("jackson", back.get("jackson").asText());
        summary.put("read_back", back.get("values").size());
        System.out.println(mapper.writeValueAsString(summary));
    }
}
