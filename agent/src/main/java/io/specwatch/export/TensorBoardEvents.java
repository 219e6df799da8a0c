package io.specwatch.export;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The bytes of TensorBoard event files, written by hand (no protobuf dependency): TFRecord framing
 * ({@code uint64 length, uint32 masked CRC32C of the length, data, uint32 masked CRC32C of the
 * data}, little-endian) around {@code tensorflow.Event} messages that carry a {@code Summary} of
 * scalar ({@code simple_value}) and histogram ({@code HistogramProto}) values. Field numbers are
 * those of tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto.
 */
final class TensorBoardEvents {

    private TensorBoardEvents() {
    }

    /** One TFRecord around {@code data}. */
    static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc(data, 0, data.length));
        return b.array();
    }

    /** TFRecord's CRC: CRC32C rotated right by 15 bits plus a constant, so that CRCs of CRCs stay informative. */
    static int maskedCrc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    /** The first event of every file: {@code file_version = "brain.Event:2"}. */
    static byte[] fileVersion(double wallTime) {
        Proto p = new Proto();
        p.fixed64(1, Double.doubleToLongBits(wallTime));
        p.bytes(3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        return p.toByteArray();
    }

    /** An event at {@code step} whose summary holds the given values ({@link #scalar}, {@link #histogram}). */
    static byte[] event(double wallTime, long step, byte[]... values) {
        Proto summary = new Proto();
        for (byte[] v : values) {
            summary.bytes(1, v);
        }
        Proto p = new Proto();
        p.fixed64(1, Double.doubleToLongBits(wallTime));
        p.varint(2, step);
        p.bytes(5, summary.toByteArray());
        return p.toByteArray();
    }

    /** {@code Summary.Value{tag, simple_value}}: a scalar. */
    static byte[] scalar(String tag, float value) {
        Proto p = new Proto();
        p.bytes(1, tag.getBytes(StandardCharsets.UTF_8));
        p.fixed32(2, Float.floatToIntBits(value));
        return p.toByteArray();
    }

    /**
     * {@code Summary.Value{tag, histo}}: a histogram of {@code values} in {@code buckets} equal-width
     * buckets from the smallest to the largest value. TensorBoard's bucket i counts the values in
     * (limit[i−1], limit[i]]; the first bucket also takes the minimum.
     */
    static byte[] histogram(String tag, double[] values, int buckets) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double squares = 0;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            squares += v * v;
        }
        double[] limits = new double[buckets];
        double[] counts = new double[buckets];
        double width = max > min ? (max - min) / buckets : 1;
        for (int i = 0; i < buckets; i++) {
            limits[i] = i == buckets - 1 ? max : min + (i + 1) * width;
        }
        for (double v : values) {
            int i = (int) Math.ceil((v - min) / width) - 1;
            counts[Math.max(0, Math.min(buckets - 1, i))]++;
        }
        Proto h = new Proto();
        h.fixed64(1, Double.doubleToLongBits(min));
        h.fixed64(2, Double.doubleToLongBits(max));
        h.fixed64(3, Double.doubleToLongBits(values.length));
        h.fixed64(4, Double.doubleToLongBits(sum));
        h.fixed64(5, Double.doubleToLongBits(squares));
        h.packedDoubles(6, limits);
        h.packedDoubles(7, counts);
        Proto p = new Proto();
        p.bytes(1, tag.getBytes(StandardCharsets.UTF_8));
        p.bytes(5, h.toByteArray());
        return p.toByteArray();
    }

    /** The protobuf wire format, as much of it as events need. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void key(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        void varint(int field, long v) {
            key(field, 0);
            rawVarint(v);
        }

        void fixed64(int field, long bits) {
            key(field, 1);
            for (int i = 0; i < 8; i++) {
                out.write((int) (bits >>> (8 * i)));
            }
        }

        void fixed32(int field, int bits) {
            key(field, 5);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
        }

        void bytes(int field, byte[] b) {
            key(field, 2);
            rawVarint(b.length);
            out.write(b, 0, b.length);
        }

        void packedDoubles(int field, double[] values) {
            key(field, 2);
            rawVarint(8L * values.length);
            for (double v : values) {
                long bits = Double.doubleToLongBits(v);
                for (int i = 0; i < 8; i++) {
                    out.write((int) (bits >>> (8 * i)));
                }
            }
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
