package io.specwatch.tensorfile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds pickle byte streams opcode by opcode (for hostile pickles no real writer would make). */
final class PickleBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes protocol2() {
        return new PickleBytes().op(0x80).op(2);
    }

    PickleBytes op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes repeat(int times, int... bytes) {
        for (int i = 0; i < times; i++) {
            op(bytes);
        }
        return this;
    }

    PickleBytes string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        int4(b.length);
        out.writeBytes(b);
        return this;
    }

    PickleBytes int4(long v) {
        return op((int) (v & 0xff), (int) ((v >> 8) & 0xff), (int) ((v >> 16) & 0xff), (int) ((v >> 24) & 0xff));
    }

    PickleBytes integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K', (int) v);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            return int4(v);
        }
        op(0x8a, 8);
        for (int i = 0; i < 8; i++) {
            op((int) ((v >> (8 * i)) & 0xff));
        }
        return this;
    }

    PickleBytes global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBytes tuple(long... values) {
        op('(');
        for (long v : values) {
            integer(v);
        }
        return op('t');
    }

    /**
     * {@code name: _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict())},
     * as one SETITEM into the dict on top of the stack.
     */
    PickleBytes tensorItem(String name, String key, long numel, long offset, long[] size, long[] stride) {
        string(name);
        global("torch._utils", "_rebuild_tensor_v2");
        op('(');
        op('(').string("storage").global("torch", "FloatStorage").string(key).string("cpu").integer(numel).op('t').op('Q');
        integer(offset);
        tuple(size);
        tuple(stride);
        op(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        op('t').op('R');
        return op('s');
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
