package io.specwatch.tensorfile;

import java.io.IOException;

/** A tensor file that cannot be read: unreadable, truncated, malformed, hostile or of an unsupported type (the message is one line). */
public class TensorFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public TensorFormatException(String message) {
        super(message);
    }

    public TensorFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
