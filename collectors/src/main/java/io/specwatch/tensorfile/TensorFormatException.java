package io.specwatch.tensorfile;

import java.io.IOException;

/** A tensor file that cannot be read: unreadable, truncated, malformed or of an unsupported type. */
public final class TensorFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public TensorFormatException(String message) {
        super(message);
    }

    public TensorFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
