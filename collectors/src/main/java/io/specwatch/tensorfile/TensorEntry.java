package io.specwatch.tensorfile;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of a checkpoint: what it is and where its elements are. Entries are validated when the
 * file is opened: every element lies inside the file (or the archive member) that holds it.
 *
 * @param name     tensor name (the file stem for .npy, the member name for .npz, the dotted key path for torch.save)
 * @param shape    dimensions, row-major
 * @param type     element encoding, null when the tensor is of a type that is not analysed
 * @param typeName the type as the file spells it ({@code F32}, {@code <f4}, {@code FloatStorage}, …)
 * @param order    byte order of the elements
 * @param strides  distance in elements between neighbours along each dimension: row-major for most files,
 *                 column-major for a Fortran-order .npy, anything non-negative for a saved torch view
 * @param offset   byte offset of the first element (index 0 in every dimension) in the file, or in the
 *                 uncompressed archive member for a compressed .npz
 * @param file     the file that holds the elements
 */
public record TensorEntry(String name, long[] shape, ElementType type, String typeName, ByteOrder order,
                          long[] strides, long offset, Path file) {

    /** Product of the dimensions (validated not to overflow when the entry is made). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public int dimensions() {
        return shape.length;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }

    /** True when the elements are stored row-major without gaps, so they can be copied in one sweep. */
    public boolean rowMajorContiguous() {
        return Arrays.equals(strides, rowMajorStrides(shape));
    }

    /** Row-major (C order) element strides of a shape. */
    public static long[] rowMajorStrides(long[] shape) {
        long[] s = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = stride;
            stride *= Math.max(1, shape[d]);
        }
        return s;
    }

    /** Column-major (Fortran order) element strides of a shape. */
    public static long[] columnMajorStrides(long[] shape) {
        long[] s = new long[shape.length];
        long stride = 1;
        for (int d = 0; d < shape.length; d++) {
            s[d] = stride;
            stride *= Math.max(1, shape[d]);
        }
        return s;
    }

    /** The name made safe for a terminal. */
    String shown() {
        return Printable.of(name);
    }
}
