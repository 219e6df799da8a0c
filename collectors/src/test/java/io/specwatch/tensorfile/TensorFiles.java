package io.specwatch.tensorfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes test files byte by byte from the published format descriptions (independent of the readers). */
public final class TensorFiles {

    private TensorFiles() {
    }

    /** A version-1 .npy file of float32 (or float64) values, C or Fortran order as the header says; values are written as given. */
    public static byte[] npy(String descr, boolean fortran, long[] shape, double[] values, ByteOrder order) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + tuple + ", }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        int width = descr.endsWith("8") ? 8 : descr.endsWith("4") ? 4 : 2;
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + values.length * width);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        b.order(order);
        for (double v : values) {
            if (width == 8) {
                b.putDouble(v);
            } else if (width == 4) {
                b.putFloat((float) v);
            } else {
                throw new IllegalArgumentException("write f2 with raw bits");
            }
        }
        return b.array();
    }

    /** One safetensors tensor description. */
    public record Tensor(String dtype, long[] shape, byte[] data) {
    }

    public static Tensor f32(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return new Tensor("F32", shape, b.array());
    }

    public static byte[] safetensors(Map<String, Tensor> tensors) {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        Map<String, Tensor> ordered = new LinkedHashMap<>(tensors);
        for (var e : ordered.entrySet()) {
            Tensor t = e.getValue();
            json.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":[");
            for (int i = 0; i < t.shape().length; i++) {
                json.append(i == 0 ? "" : ",").append(t.shape()[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(",").append(offset + t.data().length).append("]}");
            offset += t.data().length;
        }
        json.append("}");
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (Tensor t : ordered.values()) {
            b.put(t.data());
        }
        return b.array();
    }

    /** A safetensors file from its header text as given (no checks) and data bytes. */
    public static byte[] safetensorsRaw(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    public static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }
}
