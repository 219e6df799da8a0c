package io.specwatch.tensorfile;

import java.nio.ByteBuffer;

/** Floating-point element encodings that can be read into float32/float64 arrays. */
public enum ElementType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Reads one element at the buffer's position (the buffer's byte order applies) and advances. */
    double read(ByteBuffer buffer) {
        return switch (this) {
            case F64 -> buffer.getDouble();
            case F32 -> buffer.getFloat();
            case F16 -> halfToFloat(buffer.getShort());
            case BF16 -> bfloatToFloat(buffer.getShort());
        };
    }

    /** bfloat16 is the upper half of a float32: exact. */
    static float bfloatToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** IEEE 754 binary16 to float32, including subnormals, infinities and NaN. */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h >>> 15) << 31;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
