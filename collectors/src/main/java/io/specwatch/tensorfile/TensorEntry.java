package io.specwatch.tensorfile;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor of a file: where its bytes are and how to decode them. Entries are validated when
 * the file is opened: the data lies inside the file and has exactly the size the shape needs.
 *
 * @param name       tensor name (the file name for .npy)
 * @param shape      dimensions, row-major
 * @param type       element encoding, null when the tensor is of a type that is not analysed
 * @param typeName   the type as the file spells it
 * @param order      byte order of the elements
 * @param fortran    true when the elements are stored column-major (.npy fortran_order)
 * @param offset     absolute byte offset of the first element
 */
public record TensorEntry(String name, long[] shape, ElementType type, String typeName, ByteOrder order,
                          boolean fortran, long offset) {

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
}
