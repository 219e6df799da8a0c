package io.specwatch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON result that is rewritten whole after every step, through a temporary file and a rename:
 * when the process is killed (a timeout), the file holds every step finished so far, never half a file.
 */
final class ResultFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path path;
    private final ObjectNode root = JSON.createObjectNode();

    ResultFile(Path path) {
        this.path = path;
    }

    ObjectNode root() {
        return root;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Writes the current state; a failure to write is reported on stderr and does not stop the check. */
    void save() {
        try {
            Path parent = path.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
            JSON.writeValue(temp.toFile(), root);
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("gpu-check: cannot write " + path + ": " + e.getMessage());
        }
    }
}
