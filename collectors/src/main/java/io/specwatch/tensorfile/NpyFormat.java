package io.specwatch.tensorfile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, versions 1.0–3.0: magic, version, header length, a Python-literal
 * header dict with exactly {@code descr}, {@code fortran_order} and {@code shape}, then the raw
 * elements. Float16/32/64 are analysed; other plain dtypes are listed; object arrays (pickles) and
 * structured arrays are refused. Validated as {@code numpy.load} does, including its default
 * {@code max_header_size} of 10 000 bytes, checked before the header is read.
 */
final class NpyFormat {

    /** numpy's {@code max_header_size} default: larger headers "may not be safe to load securely". */
    static final int MAX_HEADER = 10_000;
    /** Bytes to hand {@link #parse}: the longest prefix a valid header can need. */
    static final int MAX_PREFIX = 12 + MAX_HEADER;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Set<Object> KEYS = Set.of("descr", "fortran_order", "shape");
    private static final Pattern DTYPE = Pattern.compile("([<>|=]?)([a-zA-Z])(\\d*)(\\[\\w+\\])?");

    private NpyFormat() {
    }

    /** A validated header: where the data starts and how to read it. */
    record Header(long dataOffset, long[] shape, long[] strides, ElementType type, String descr, ByteOrder order) {
    }

    static boolean hasMagic(ByteBuffer prefix) {
        if (prefix.remaining() < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix.get(prefix.position() + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a header.
     *
     * @param prefix    the first {@code min(available, MAX_PREFIX)} bytes
     * @param available bytes in the file or archive member
     */
    static Header parse(ByteBuffer prefix, long available, int maxDepth) throws TensorFormatException {
        if (!hasMagic(prefix)) {
            throw new TensorFormatException("not a .npy file (wrong magic bytes)");
        }
        // a deflated member's inflated prefix can be shorter than the member claims: check both
        long have = prefix.remaining();
        if (available < 10 || have < 10) {
            throw new TruncatedException("truncated .npy header (" + Math.min(available, have) + " bytes)");
        }
        ByteBuffer p = prefix.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int major = p.get(6) & 0xff;
        int minor = p.get(7) & 0xff;
        long headerLength;
        int start;
        if ((major == 1) && minor == 0) {
            headerLength = p.getShort(8) & 0xffff;
            start = 10;
        } else if ((major == 2 || major == 3) && minor == 0) {
            if (available < 12 || have < 12) {
                throw new TruncatedException("truncated .npy header (" + available + " bytes)");
            }
            headerLength = p.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new TensorFormatException("unsupported .npy format version " + major + "." + minor + " (numpy reads 1.0, 2.0 and 3.0)");
        }
        if (headerLength > MAX_HEADER) {
            throw new TensorFormatException("header length " + headerLength + " exceeds numpy's max_header_size of "
                    + MAX_HEADER + " bytes (numpy refuses it too: such a header is not safe to load)");
        }
        if (start + headerLength > available || start + headerLength > have) {
            throw new TruncatedException("header length " + headerLength + " exceeds the file size " + Math.min(available, have));
        }
        byte[] raw = new byte[(int) headerLength];
        p.position(start);
        p.get(raw);
        String header = decode(raw, major == 3);
        Object literal = PythonLiteral.parse(header, maxDepth, major <= 2);
        if (!(literal instanceof Map<?, ?> dict)) {
            throw new TensorFormatException("malformed .npy header: not a dict");
        }
        if (!dict.keySet().equals(KEYS)) {
            throw new TensorFormatException("malformed .npy header: keys must be exactly descr, fortran_order and shape");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new TensorFormatException("malformed .npy header: fortran_order must be True or False");
        }
        Object descr = dict.get("descr");
        if (descr instanceof List<?> || descr instanceof PythonLiteral.Tuple) {
            throw new TensorFormatException("unsupported dtype: structured arrays are not analysed");
        }
        if (!(descr instanceof String dtype)) {
            throw new TensorFormatException("malformed .npy header: descr must be a dtype string");
        }
        long[] shape = shape(dict.get("shape"));
        DType type = dtype(dtype);
        long count = 1;
        long bytes;
        try {
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, type.itemSize());
        } catch (ArithmeticException e) {
            throw new TensorFormatException("shape " + Arrays.toString(shape) + " is too large");
        }
        long dataOffset = start + headerLength;
        if (bytes > available - dataOffset) {
            throw new TruncatedException("truncated: shape " + Arrays.toString(shape) + " of " + Printable.of(dtype) + " needs "
                    + bytes + " data bytes, the file has " + (available - dataOffset));
        }
        long[] strides = fortran && shape.length > 1 ? TensorEntry.columnMajorStrides(shape) : TensorEntry.rowMajorStrides(shape);
        return new Header(dataOffset, shape, strides, type.element(), dtype, type.order());
    }

    private static String decode(byte[] raw, boolean utf8) throws TensorFormatException {
        if (!utf8) {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new TensorFormatException("malformed .npy header: not UTF-8");
        }
    }

    private static long[] shape(Object value) throws TensorFormatException {
        if (!(value instanceof PythonLiteral.Tuple tuple)) {
            throw new TensorFormatException("malformed .npy header: shape must be a tuple");
        }
        long[] shape = new long[tuple.items().size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(tuple.items().get(i) instanceof Long d) || d < 0) {
                throw new TensorFormatException("malformed .npy header: shape entries must be non-negative integers");
            }
            shape[i] = d;
        }
        return shape;
    }

    /** A dtype: its element encoding when analysed (else null), its size in bytes and byte order. */
    record DType(ElementType element, long itemSize, ByteOrder order) {
    }

    static DType dtype(String descr) throws TensorFormatException {
        Matcher m = DTYPE.matcher(descr);
        if (!m.matches()) {
            throw unsupported(descr);
        }
        ByteOrder order = switch (m.group(1)) {
            case ">" -> ByteOrder.BIG_ENDIAN;
            case "=" -> ByteOrder.nativeOrder();
            default -> ByteOrder.LITTLE_ENDIAN;
        };
        char kind = m.group(2).charAt(0);
        String digits = m.group(3);
        if (kind == 'O') {
            throw new TensorFormatException("dtype '" + Printable.of(descr) + "' holds Python objects (a pickle): refused, reading it would run code");
        }
        if (digits.isEmpty() || digits.length() > 9) {
            throw unsupported(descr);
        }
        long size = Long.parseLong(digits);
        if (m.group(4) != null && kind != 'M' && kind != 'm') {
            throw unsupported(descr);
        }
        return switch (kind) {
            case 'f' -> switch ((int) size) {
                case 2 -> new DType(ElementType.F16, 2, order);
                case 4 -> new DType(ElementType.F32, 4, order);
                case 8 -> new DType(ElementType.F64, 8, order);
                case 10, 12, 16 -> new DType(null, size, order);
                default -> throw unsupported(descr);
            };
            case 'i', 'u' -> switch ((int) size) {
                case 1, 2, 4, 8 -> new DType(null, size, order);
                default -> throw unsupported(descr);
            };
            case 'b' -> size == 1 ? new DType(null, 1, order) : fail(descr);
            case 'c' -> size == 8 || size == 16 || size == 32 ? new DType(null, size, order) : fail(descr);
            case 'M', 'm' -> size == 8 ? new DType(null, 8, order) : fail(descr);
            case 'S', 'a', 'V' -> size > 0 ? new DType(null, size, order) : fail(descr);
            case 'U' -> size > 0 ? new DType(null, 4 * size, order) : fail(descr);
            default -> throw unsupported(descr);
        };
    }

    private static DType fail(String descr) throws TensorFormatException {
        throw unsupported(descr);
    }

    private static TensorFormatException unsupported(String descr) {
        return new TensorFormatException("unsupported dtype '" + Printable.of(descr) + "': expected a numpy dtype such as <f4");
    }
}
