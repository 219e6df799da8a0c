package io.specwatch.tensorfile;

/** A file shorter than its own structure says: truncated, or still being written. */
final class TruncatedException extends TensorFormatException {

    private static final long serialVersionUID = 1L;

    TruncatedException(String message) {
        super(message);
    }
}
