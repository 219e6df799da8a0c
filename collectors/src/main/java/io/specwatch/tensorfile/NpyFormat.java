package io.specwatch.tensorfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, versions 1–3: magic, version, header length, a Python-literal
 * header dict ({@code descr}, {@code fortran_order}, {@code shape}), then the raw elements.
 * Floating-point dtypes f2/f4/f8 in either byte order.
 */
final class NpyFormat {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*(['\"])([^'\"]*)\\1");
    private static final Pattern DESCR_ANY = Pattern.compile("['\"]descr['\"]\\s*:\\s*([\\[(])");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DTYPE = Pattern.compile("([<>|=]?)([a-zA-Z])(\\d+)");

    private NpyFormat() {
    }

    static boolean hasMagic(FileChannel channel) throws IOException {
        if (channel.size() < MAGIC.length) {
            return false;
        }
        ByteBuffer head = TensorFile.readFully(channel, 0, MAGIC.length);
        for (byte b : MAGIC) {
            if (head.get() != b) {
                return false;
            }
        }
        return true;
    }

    static TensorEntry read(FileChannel channel, long size, String name) throws IOException {
        if (size < 10) {
            throw new TensorFormatException("truncated .npy header (" + size + " bytes)");
        }
        ByteBuffer prefix = TensorFile.readFully(channel, 0, (int) Math.min(12, size)).order(ByteOrder.LITTLE_ENDIAN);
        int major = prefix.get(6) & 0xff;
        long headerLength;
        int start;
        if (major == 1) {
            headerLength = prefix.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (size < 12) {
                throw new TensorFormatException("truncated .npy header (" + size + " bytes)");
            }
            headerLength = prefix.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new TensorFormatException("unsupported .npy format version " + major);
        }
        if (start + headerLength > size) {
            throw new TensorFormatException("header length " + headerLength + " exceeds the file size " + size);
        }
        ByteBuffer headerBytes = TensorFile.readFully(channel, start, (int) headerLength);
        String header = new String(headerBytes.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw new TensorFormatException("malformed .npy header: not a dict");
        }
        Matcher descr = DESCR.matcher(header);
        if (!descr.find()) {
            if (DESCR_ANY.matcher(header).find()) {
                throw new TensorFormatException("unsupported dtype: structured arrays are not analysed");
            }
            throw new TensorFormatException("malformed .npy header: no 'descr'");
        }
        Matcher fortran = FORTRAN.matcher(header);
        if (!fortran.find()) {
            throw new TensorFormatException("malformed .npy header: no 'fortran_order'");
        }
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!shapeMatch.find()) {
            throw new TensorFormatException("malformed .npy header: no 'shape'");
        }
        String dtype = descr.group(2);
        ElementType type = elementType(dtype);
        ByteOrder order = dtype.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long[] shape = shape(shapeMatch.group(1));
        long count = 1;
        try {
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            long bytes = Math.multiplyExact(count, (long) type.bytes());
            long available = size - start - headerLength;
            if (bytes > available) {
                throw new TensorFormatException("truncated: shape " + java.util.Arrays.toString(shape) + " of " + dtype
                        + " needs " + bytes + " data bytes, the file has " + available);
            }
        } catch (ArithmeticException e) {
            throw new TensorFormatException("shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        if (count == 0) {
            throw new TensorFormatException("array is empty (shape " + java.util.Arrays.toString(shape) + ")");
        }
        return new TensorEntry(name, shape, type, dtype, order, "True".equals(fortran.group(1)) && shape.length > 1,
                start + headerLength);
    }

    private static ElementType elementType(String dtype) throws TensorFormatException {
        Matcher m = DTYPE.matcher(dtype);
        if (!m.matches() || !m.group(2).equals("f")) {
            throw new TensorFormatException("unsupported dtype '" + dtype + "': expected float16, float32 or float64");
        }
        return switch (m.group(3)) {
            case "2" -> ElementType.F16;
            case "4" -> ElementType.F32;
            case "8" -> ElementType.F64;
            default -> throw new TensorFormatException("unsupported dtype '" + dtype + "': expected float16, float32 or float64");
        };
    }

    private static long[] shape(String tuple) throws TensorFormatException {
        List<Long> dims = new ArrayList<>();
        for (String part : tuple.split(",")) {
            String p = part.strip();
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1);
            }
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches("\\d{1,18}")) {
                throw new TensorFormatException("malformed .npy header: bad shape entry '" + part.strip() + "'");
            }
            dims.add(Long.parseLong(p));
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Reorders column-major (Fortran) elements into row-major order. */
    static float[] fortranToRowMajor(float[] columnMajor, long[] shape) {
        float[] out = new float[columnMajor.length];
        forEachFortranIndex(shape, (f, r) -> out[r] = columnMajor[f]);
        return out;
    }

    static double[] fortranToRowMajor(double[] columnMajor, long[] shape) {
        double[] out = new double[columnMajor.length];
        forEachFortranIndex(shape, (f, r) -> out[r] = columnMajor[f]);
        return out;
    }

    private interface IndexPair {
        void accept(int fortranIndex, int rowMajorIndex);
    }

    /** Walks the elements in Fortran order (first index fastest), giving each one's row-major index. */
    private static void forEachFortranIndex(long[] shape, IndexPair action) {
        int dims = shape.length;
        int[] rowStride = new int[dims];
        int stride = 1;
        for (int d = dims - 1; d >= 0; d--) {
            rowStride[d] = stride;
            stride *= (int) shape[d];
        }
        int total = stride;
        int[] index = new int[dims];
        int row = 0;
        for (int f = 0; f < total; f++) {
            action.accept(f, row);
            for (int d = 0; d < dims; d++) {
                index[d]++;
                row += rowStride[d];
                if (index[d] < shape[d]) {
                    break;
                }
                row -= rowStride[d] * index[d];
                index[d] = 0;
            }
        }
    }
}
