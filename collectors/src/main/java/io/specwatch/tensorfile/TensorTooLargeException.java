package io.specwatch.tensorfile;

/**
 * One tensor that does not fit the limits or the heap: it was not read, the others can still be.
 * The message says how large it is and what to change.
 */
public final class TensorTooLargeException extends TensorFormatException {

    private static final long serialVersionUID = 1L;

    public TensorTooLargeException(String message) {
        super(message);
    }
}
