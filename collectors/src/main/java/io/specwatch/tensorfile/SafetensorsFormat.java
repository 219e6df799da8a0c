package io.specwatch.tensorfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Hugging Face's {@code .safetensors}: an 8-byte little-endian header length, a JSON header mapping
 * tensor names to dtype, shape and data offsets (relative to the end of the header), then the data.
 */
final class SafetensorsFormat {

    /** The format's own cap on the header size. */
    static final long MAX_HEADER = 100L * 1024 * 1024;
    /** Non-float dtypes of the format: listed and skipped, not an error. */
    static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64",
            "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsFormat() {
    }

    static List<TensorEntry> read(FileChannel channel, long size) throws IOException {
        if (size < 8) {
            throw new TensorFormatException("truncated .safetensors file (" + size + " bytes)");
        }
        long headerLength = TensorFile.readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
            throw new TensorFormatException("header length " + Long.toUnsignedString(headerLength)
                    + " is invalid for a file of " + size + " bytes");
        }
        ByteBuffer headerBytes = TensorFile.readFully(channel, 8, (int) headerLength);
        JsonNode header;
        try {
            header = JSON.readTree(headerBytes.array());
        } catch (JacksonException e) {
            String reason = e.getOriginalMessage();
            int detail = reason.indexOf(" (");
            throw new TensorFormatException("malformed JSON header: " + (detail > 0 ? reason.substring(0, detail) : reason)
                    + (e.getLocation() != null ? " at byte " + (8 + e.getLocation().getByteOffset()) : ""));
        }
        if (header == null || !header.isObject()) {
            throw new TensorFormatException("malformed header: not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataLength = size - dataStart;
        List<TensorEntry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            entries.add(entry(field.getKey(), field.getValue(), dataStart, dataLength));
        }
        // file order of the data, which is how tools list them
        entries.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return entries;
    }

    private static TensorEntry entry(String name, JsonNode node, long dataStart, long dataLength) throws TensorFormatException {
        if (!node.isObject()) {
            throw new TensorFormatException("tensor '" + name + "': header entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new TensorFormatException("tensor '" + name + "': missing dtype");
        }
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new TensorFormatException("tensor '" + name + "': missing shape");
        }
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToExactIntegral()
                || !offsets.get(1).canConvertToExactIntegral() || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new TensorFormatException("tensor '" + name + "': data_offsets must be two integers");
        }
        String dtype = dtypeNode.asText();
        ElementType type = switch (dtype) {
            case "F64" -> ElementType.F64;
            case "F32" -> ElementType.F32;
            case "F16" -> ElementType.F16;
            case "BF16" -> ElementType.BF16;
            default -> null;
        };
        if (type == null && !OTHER_DTYPES.contains(dtype)) {
            throw new TensorFormatException("tensor '" + name + "': unsupported dtype '" + dtype + "'");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new TensorFormatException("tensor '" + name + "': bad shape " + shapeNode);
            }
            shape[i] = d.asLong();
            try {
                count = Math.multiplyExact(count, shape[i]);
            } catch (ArithmeticException e) {
                throw new TensorFormatException("tensor '" + name + "': shape " + shapeNode + " is too large");
            }
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new TensorFormatException("tensor '" + name + "': data_offsets [" + begin + ", " + end
                    + "] out of range (the file holds " + dataLength + " data bytes)");
        }
        if (type != null) {
            long needed;
            try {
                needed = Math.multiplyExact(count, (long) type.bytes());
            } catch (ArithmeticException e) {
                throw new TensorFormatException("tensor '" + name + "': shape " + shapeNode + " is too large");
            }
            if (end - begin != needed) {
                throw new TensorFormatException("tensor '" + name + "': shape " + shapeNode + " of " + dtype + " needs "
                        + needed + " bytes, data_offsets give " + (end - begin));
            }
        }
        return new TensorEntry(name, shape, type, dtype, ByteOrder.LITTLE_ENDIAN, false, dataStart + begin);
    }
}
