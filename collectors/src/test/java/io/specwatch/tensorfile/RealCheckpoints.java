package io.specwatch.tensorfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.PythonEnv;

/**
 * Checkpoints written by the real frameworks (torch.save, safetensors, transformers' save_pretrained
 * and Trainer, Lightning's Trainer, numpy.savez) with what Python reads back from them
 * ({@code write_checkpoints.py}), written once per test JVM under {@code target/real-checkpoints}.
 */
public final class RealCheckpoints {

    private static Path dir;
    private static JsonNode expected;

    private RealCheckpoints() {
    }

    /** The directory holding the checkpoints (written on first use: about 15 s). */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                Path out = Path.of("target", "real-checkpoints").toAbsolutePath();
                deleteRecursively(out);
                Files.createDirectories(out);
                String script;
                try (InputStream in = RealCheckpoints.class.getResourceAsStream("write_checkpoints.py")) {
                    script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                PythonEnv.runOrFail(script, out, 300, out.toString());
                expected = new ObjectMapper().readTree(out.resolve("expected.json").toFile()).get("files");
                dir = out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return dir;
    }

    /** Per checkpoint (path relative to {@link #dir()}): the tensors Python reads, in order. */
    public static synchronized JsonNode expected() {
        dir();
        return expected;
    }

    public static Path file(String relative) {
        return dir().resolve(relative);
    }

    /** SHA-256 of float32 values as little-endian bytes (what the script hashes). */
    public static String sha256(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return sha256(b.array());
    }

    public static String sha256(double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return sha256(b.array());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
