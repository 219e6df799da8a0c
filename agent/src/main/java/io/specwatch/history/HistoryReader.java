package io.specwatch.history;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads history files ({@link HistoryWriter}) within bounds fixed before anything is read: a file
 * larger than {@link Limits#maxBytes()} is refused, a record longer than
 * {@link Limits#maxRecordBytes()} is skipped and counted. Numbers a chart cannot use (∞ from an
 * overflowing literal such as {@code 1e400}, eigenvalues that are not finite and ascending, an
 * {@code xmin} outside the spectrum) are removed from the record they are in, and counted.
 *
 * <p>A line that is not a JSON object (a write cut off by a crash, also inside a UTF-8 character)
 * is skipped when it is the last line of the file or of a run (the writer starts every run on a
 * fresh line with its header); anywhere else it is an error naming the file and line.
 */
public final class HistoryReader {

    /**
     * How much a reader accepts.
     *
     * @param maxBytes       the largest file read, in bytes
     * @param maxRecordBytes the longest line kept, in bytes (longer ones are skipped and counted)
     */
    public record Limits(long maxBytes, int maxRecordBytes) {
        /** 512 MiB per file, 4 MiB per record (a record with 200 eigenvalues is about 6 KiB). */
        public static final Limits DEFAULT = new Limits(512L << 20, 4 << 20);

        public Limits {
            if (maxBytes < 1 || maxRecordBytes < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    /** What was skipped while reading: reason to count, and the first line it happened on. */
    public static final class Warnings {
        private final Map<String, int[]> counts = new LinkedHashMap<>();

        void add(String reason, long line) {
            int[] c = counts.computeIfAbsent(reason, k -> new int[] {0, (int) Math.min(Integer.MAX_VALUE, line)});
            c[0]++;
        }

        /** Reason to number of occurrences. */
        public Map<String, Integer> counts() {
            Map<String, Integer> out = new LinkedHashMap<>();
            counts.forEach((k, v) -> out.put(k, v[0]));
            return out;
        }

        public int total() {
            return counts.values().stream().mapToInt(c -> c[0]).sum();
        }

        /** One line for a user, e.g. {@code 2 × eigenvalues not ascending (first at line 7)}; empty when nothing was skipped. */
        public String summary() {
            List<String> parts = new ArrayList<>();
            counts.forEach((reason, c) -> parts.add(c[0] + " × " + reason + " (first at line " + c[1] + ")"));
            return String.join(", ", parts);
        }
    }

    /** Every record of a file, in file order, with what was skipped. */
    public record Contents(Path file, List<JsonNode> records, Warnings warnings) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryReader() {
    }

    /** The layer records of a history (every run, in file order), within the default limits. */
    public static List<JsonNode> read(Path file) throws IOException {
        return read(file, Limits.DEFAULT).records().stream().filter(HistoryRecords::isLayer).toList();
    }

    /**
     * Every record (run headers, layer and training records) of a history.
     *
     * @throws IOException when the file cannot be read, is larger than the limit, or has a
     *                     malformed record that is not the cut-off end of a run (the message names file and line)
     */
    public static Contents read(Path file, Limits limits) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        Warnings warnings = read(file, limits, records::add);
        return new Contents(file, records, warnings);
    }

    /**
     * Hands every record of a history to {@code sink}, in file order, without keeping them: the
     * memory a reader needs is what the sink keeps. Same checks as {@link #read(Path, Limits)}.
     *
     * @return what was skipped
     */
    public static Warnings read(Path file, Limits limits, Consumer<JsonNode> sink) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a history file");
        }
        Warnings warnings = new Warnings();
        long pendingBadLine = 0;
        String pendingReason = null;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            LineReader lines = new LineReader(in, limits, file);
            for (byte[] line = lines.next(); line != null; line = lines.next()) {
                long number = lines.number();
                if (line == LineReader.TOO_LONG) {
                    warnings.add("records longer than " + limits.maxRecordBytes() + " bytes", number);
                    continue;
                }
                JsonNode node = parse(line);
                if (node == null && isBlank(line)) {
                    continue;
                }
                if (pendingReason != null) {
                    // a malformed line is acceptable only as the cut-off end of a run
                    if (node == null || !HistoryRecords.startsOnAFreshLine(node)) {
                        throw new IOException(file + ":" + pendingBadLine + ": " + pendingReason);
                    }
                    warnings.add("records cut off at the end of a run", pendingBadLine);
                    pendingReason = null;
                }
                if (node == null) {
                    pendingBadLine = number;
                    pendingReason = "malformed record (not a JSON object in UTF-8)";
                    continue;
                }
                sink.accept(HistoryRecords.isLayer(node) ? sanitize((ObjectNode) node, warnings, number) : node);
            }
        }
        if (pendingReason != null) {
            warnings.add("records cut off at the end of the file", pendingBadLine);
        }
        return warnings;
    }

    /** A JSON object, or null when the line is not valid UTF-8 or not a JSON object. */
    private static JsonNode parse(byte[] line) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
            if (text.isBlank()) {
                return null;
            }
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (CharacterCodingException | JsonProcessingException e) {
            return null;
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * Removes from a layer record the numbers a chart cannot use, counting each: non-finite
     * numbers (JSON has none, but {@code 1e400} parses as ∞), eigenvalues that are not finite,
     * non-negative and ascending, and an {@code xmin} that is not inside the spectrum.
     */
    static ObjectNode sanitize(ObjectNode record, Warnings warnings, long line) {
        List<String> nonFinite = new ArrayList<>();
        record.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber() && !Double.isFinite(e.getValue().asDouble())) {
                nonFinite.add(e.getKey());
            }
        });
        for (String key : nonFinite) {
            record.putNull(key);
            warnings.add("non-finite numbers", line);
        }
        for (String key : List.of("top_singular_values", "eigenvalues")) {
            JsonNode values = record.get(key);
            if (values != null && !values.isNull() && !usableAscendingOrDescending(values, key.equals("eigenvalues"))) {
                record.remove(key);
                warnings.add(key.equals("eigenvalues") ? "eigenvalues not finite, non-negative and ascending" : "unusable top singular values", line);
            }
        }
        JsonNode xmin = record.get("xmin");
        if (xmin != null && xmin.isNumber()) {
            double x = xmin.asDouble();
            JsonNode ev = record.get("eigenvalues");
            boolean inside = x > 0;
            if (inside && ev != null && ev.size() > 0) {
                double lo = ev.get(0).asDouble();
                double hi = ev.get(ev.size() - 1).asDouble();
                inside = x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9);
            }
            if (!inside) {
                record.putNull("xmin");
                warnings.add("xmin outside the spectrum", line);
            }
        }
        return record;
    }

    /** Eigenvalues: finite, ≥ 0, ascending. Top singular values: finite, ≥ 0, descending. */
    private static boolean usableAscendingOrDescending(JsonNode values, boolean ascending) {
        if (!values.isArray()) {
            return false;
        }
        double previous = ascending ? 0 : Double.POSITIVE_INFINITY;
        for (JsonNode v : values) {
            double d = v.isNumber() ? v.asDouble() : Double.NaN;
            if (!Double.isFinite(d) || d < 0 || (ascending ? d < previous : d > previous)) {
                return false;
            }
            previous = d;
        }
        return true;
    }

    /** Lines as bytes, at most {@code maxRecordBytes} each, at most {@code maxBytes} in all. */
    private static final class LineReader {
        static final byte[] TOO_LONG = new byte[0];

        private final InputStream in;
        private final Limits limits;
        private final Path file;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long read;
        private long number;
        private boolean eof;

        LineReader(InputStream in, Limits limits, Path file) {
            this.in = in;
            this.limits = limits;
            this.file = file;
        }

        long number() {
            return number;
        }

        /** The next line without its newline, {@link #TOO_LONG}, or null at the end. */
        byte[] next() throws IOException {
            if (eof) {
                return null;
            }
            line.reset();
            boolean tooLong = false;
            boolean any = false;
            for (int b = in.read(); ; b = in.read()) {
                if (b < 0) {
                    eof = true;
                    if (!any) {
                        return null;
                    }
                    break;
                }
                any = true;
                if (++read > limits.maxBytes()) {
                    throw new IOException(file + ": larger than the reader's limit of " + limits.maxBytes() + " bytes");
                }
                if (b == '\n') {
                    break;
                }
                if (line.size() >= limits.maxRecordBytes()) {
                    tooLong = true;
                } else {
                    line.write(b);
                }
            }
            number++;
            return tooLong ? TOO_LONG : line.toByteArray();
        }
    }
}
