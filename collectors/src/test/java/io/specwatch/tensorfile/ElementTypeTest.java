package io.specwatch.tensorfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class ElementTypeTest {

    @Test
    void halfPrecisionKnownBitPatterns() {
        assertEquals(1.0f, ElementType.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, ElementType.halfToFloat((short) 0xc000));
        assertEquals(65504.0f, ElementType.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, ElementType.halfToFloat((short) 0x0001)); // smallest subnormal
        assertEquals(0x1p-14f, ElementType.halfToFloat((short) 0x0400)); // smallest normal
        assertEquals(Float.POSITIVE_INFINITY, ElementType.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(ElementType.halfToFloat((short) 0x7e00)));
        assertEquals(-0.0f, ElementType.halfToFloat((short) 0x8000));
    }

    @Test
    void bfloat16IsTheUpperHalfOfAFloat() {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x3f80).putShort((short) 0xc0a0).flip();
        assertEquals(1.0, ElementType.BF16.read(b));
        assertEquals(-5.0, ElementType.BF16.read(b));
    }
}
