package io.specwatch.tensorfile;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;

/**
 * Hugging Face's {@code .safetensors}: an 8-byte little-endian header length, a JSON header mapping
 * tensor names to dtype, shape and data offsets (relative to the end of the header), then the data.
 * Validated by the reference library's rules (safetensors 0.8): a header of at most 10⁸ bytes, one
 * JSON object followed by whitespace only, integer shapes and offsets, metadata values that are
 * strings, tensors that tile the data from byte 0 to the end of the file without gaps or overlaps,
 * each exactly as long as its shape and dtype need. Duplicate names are refused too (the reference
 * keeps the last and usually fails on the gap that leaves). The header is parsed as a stream from
 * the mapped file, so only the entries take heap.
 */
final class SafetensorsFormat {

    /** The reference library's cap on the header ({@code MAX_HEADER_SIZE}). */
    static final long MAX_HEADER = 100_000_000L;
    /** Bits per element of every dtype the format defines. */
    static final Map<String, Integer> BITS = Map.ofEntries(Map.entry("BOOL", 8), Map.entry("F4", 4),
            Map.entry("F6_E2M3", 6), Map.entry("F6_E3M2", 6), Map.entry("U8", 8), Map.entry("I8", 8),
            Map.entry("F8_E5M2", 8), Map.entry("F8_E4M3", 8), Map.entry("F8_E8M0", 8), Map.entry("F8_E4M3FNUZ", 8),
            Map.entry("F8_E5M2FNUZ", 8), Map.entry("I16", 16), Map.entry("U16", 16), Map.entry("F16", 16),
            Map.entry("BF16", 16), Map.entry("I32", 32), Map.entry("U32", 32), Map.entry("F32", 32), Map.entry("C64", 64),
            Map.entry("F64", 64), Map.entry("I64", 64), Map.entry("U64", 64));
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(128).maxNameLength(1 << 16)
                    .maxStringLength((int) MAX_HEADER).maxNumberLength(40).build())
            .build();

    private SafetensorsFormat() {
    }

    /** One header entry before validation against its neighbours. */
    private record Info(String name, String dtype, long[] shape, long begin, long end) {
    }

    static List<TensorEntry> read(MappedFile file, ReadLimits limits) throws TensorFormatException {
        long size = file.size();
        if (size < 8) {
            throw new TruncatedException("truncated: " + size + " bytes, fewer than the 8 of the header length");
        }
        long headerLength = file.read(0, 8).getLong();
        if (headerLength < 0 || headerLength > MAX_HEADER) {
            throw new TensorFormatException("header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the format's limit of " + MAX_HEADER + " bytes");
        }
        if (headerLength > size - 8) {
            throw new TruncatedException("header length " + headerLength + " is longer than the rest of the file ("
                    + (size - 8) + " bytes): truncated");
        }
        Heap.require(4 * headerLength, "the " + headerLength + "-byte JSON header");
        List<Info> infos = parse(file, headerLength, limits);
        infos.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long dataStart = 8 + headerLength;
        long expected = 0;
        List<TensorEntry> entries = new ArrayList<>(infos.size());
        for (Info info : infos) {
            String shown = Printable.of(info.name());
            if (info.begin() != expected || info.end() < info.begin()) {
                throw new TensorFormatException("tensor '" + shown + "': data_offsets [" + info.begin() + ", " + info.end()
                        + "] " + (info.begin() > expected ? "leave a gap after byte " + expected : "overlap the data before it")
                        + " (tensors must tile the data from byte 0)");
            }
            long bits = BITS.get(info.dtype());
            long needed;
            try {
                long count = 1;
                for (long d : info.shape()) {
                    count = Math.multiplyExact(count, d);
                }
                needed = Math.multiplyExact(count, bits);
            } catch (ArithmeticException e) {
                throw new TensorFormatException("tensor '" + shown + "': shape " + java.util.Arrays.toString(info.shape()) + " is too large");
            }
            if (needed % 8 != 0 || needed / 8 != info.end() - info.begin()) {
                throw new TensorFormatException("tensor '" + shown + "': shape " + java.util.Arrays.toString(info.shape()) + " of "
                        + info.dtype() + " needs " + (needed % 8 == 0 ? needed / 8 + " bytes" : needed + " bits (not whole bytes)")
                        + ", data_offsets give " + (info.end() - info.begin()));
            }
            expected = info.end();
            ElementType type = switch (info.dtype()) {
                case "F64" -> ElementType.F64;
                case "F32" -> ElementType.F32;
                case "F16" -> ElementType.F16;
                case "BF16" -> ElementType.BF16;
                default -> null;
            };
            entries.add(new TensorEntry(info.name(), info.shape(), type, info.dtype(), ByteOrder.LITTLE_ENDIAN,
                    TensorEntry.rowMajorStrides(info.shape()), dataStart + info.begin(), file.path()));
        }
        long dataLength = size - dataStart;
        if (expected > dataLength) {
            throw new TruncatedException("truncated: the tensors need " + expected + " data bytes, the file holds " + dataLength);
        }
        if (expected < dataLength) {
            throw new TensorFormatException((dataLength - expected) + " bytes after the last tensor's data"
                    + " (the tensors must cover the file exactly)");
        }
        return entries;
    }

    private static List<Info> parse(MappedFile file, long headerLength, ReadLimits limits) throws TensorFormatException {
        List<Info> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        java.nio.ByteBuffer header = file.map(8, headerLength);
        if (headerLength >= 3 && (header.get(0) & 0xff) == 0xef && (header.get(1) & 0xff) == 0xbb && (header.get(2) & 0xff) == 0xbf) {
            throw new TensorFormatException("malformed header: it starts with a byte-order mark (the format wants plain UTF-8 JSON)");
        }
        // a strict UTF-8 reader: Jackson would otherwise guess UTF-16/32 from zero bytes, which the format does not allow
        java.io.Reader utf8 = new java.io.InputStreamReader(new ByteBufferBackedInputStream(header),
                java.nio.charset.StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT));
        boolean closed = false;
        try (JsonParser p = JSON.createParser(utf8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TensorFormatException("malformed header: not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!names.add(name)) {
                    throw new TensorFormatException("duplicate tensor name '" + Printable.of(name) + "' in the header");
                }
                JsonToken value = p.nextToken();
                if (name.equals("__metadata__")) {
                    metadata(p, value);
                    continue;
                }
                if (infos.size() >= limits.maxTensors()) {
                    throw new TensorFormatException("more than " + limits.maxTensors() + " tensors");
                }
                infos.add(info(p, value, name));
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new TensorFormatException("malformed header: not a JSON object");
            }
            closed = true;
            if (p.nextToken() != null) {
                throw trailing();
            }
        } catch (TensorFormatException e) {
            throw e;
        } catch (JacksonException e) {
            if (closed) {
                throw trailing();
            }
            String reason = String.valueOf(e.getOriginalMessage());
            int cut = reason.indexOf('\n');
            throw new TensorFormatException("malformed JSON header: " + Printable.of(cut > 0 ? reason.substring(0, cut) : reason)
                    + (e.getLocation() != null ? " at character " + e.getLocation().getCharOffset() : ""));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new TensorFormatException("malformed header: not valid UTF-8");
        } catch (IOException e) {
            throw new TensorFormatException("cannot read the header: " + e.getMessage());
        }
        return infos;
    }

    private static TensorFormatException trailing() {
        return new TensorFormatException("trailing characters after the JSON header (only whitespace may pad it)");
    }

    private static void metadata(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_OBJECT) {
            throw new TensorFormatException("__metadata__ must be an object of strings");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new TensorFormatException("__metadata__ value '" + Printable.of(p.currentName()) + "' is not a string");
            }
        }
    }

    private static Info info(JsonParser p, JsonToken value, String name) throws IOException {
        String shown = Printable.of(name);
        if (value != JsonToken.START_OBJECT) {
            throw new TensorFormatException("tensor '" + shown + "': header entry is not an object");
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (dtype != null) {
                        throw duplicate(shown, field);
                    }
                    if (v != JsonToken.VALUE_STRING) {
                        throw new TensorFormatException("tensor '" + shown + "': dtype is not a string");
                    }
                    dtype = p.getText();
                    if (!BITS.containsKey(dtype)) {
                        throw new TensorFormatException("tensor '" + shown + "': unsupported dtype '" + Printable.of(dtype) + "'");
                    }
                }
                case "shape" -> {
                    if (shape != null) {
                        throw duplicate(shown, field);
                    }
                    shape = integers(p, v, shown, "shape", -1);
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw duplicate(shown, field);
                    }
                    offsets = integers(p, v, shown, "data_offsets", 2);
                }
                default -> p.skipChildren();
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw new TensorFormatException("tensor '" + shown + "': missing "
                    + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        return new Info(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static TensorFormatException duplicate(String shown, String field) {
        return new TensorFormatException("tensor '" + shown + "': duplicate field " + field);
    }

    /** A JSON array of non-negative integers (exactly {@code length} of them unless -1); no floats such as 12288.0. */
    private static long[] integers(JsonParser p, JsonToken v, String shown, String field, int length) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw new TensorFormatException("tensor '" + shown + "': " + field + " is not an array");
        }
        List<Long> values = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw new TensorFormatException("tensor '" + shown + "': " + field + " must hold integers, found "
                        + (t == JsonToken.VALUE_NUMBER_FLOAT ? "the float " + Printable.of(p.getText()) : "something else"));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                throw new TensorFormatException("tensor '" + shown + "': " + field + " entry " + Printable.of(p.getText())
                        + " is not a size (0 to 2^63-1)");
            }
            if (values.size() >= 64) {
                throw new TensorFormatException("tensor '" + shown + "': " + field + " has more than 64 entries");
            }
            values.add(p.getLongValue());
        }
        if (length >= 0 && values.size() != length) {
            throw new TensorFormatException("tensor '" + shown + "': " + field + " must hold " + length + " integers, found " + values.size());
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
