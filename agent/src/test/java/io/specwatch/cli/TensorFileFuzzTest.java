package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import io.specwatch.tensorfile.RealCheckpoints;
import io.specwatch.tensorfile.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random truncations and corrupted bytes of valid files (written by the real torch.save and numpy for
 * the archives): every run must end quickly with
 * exit 0 (the damage happened to be harmless) or 2 and one line, never a stack trace, an
 * OutOfMemoryError or an analysis failure.
 */
class TensorFileFuzzTest {

    @TempDir
    Path dir;

    private static final int CASES = 150;

    @Test
    void npyTruncationsAndCorruptions() throws Exception {
        double[] w = AnalyzeCommandTest.gaussian(24 * 16, 1);
        byte[] good = TensorFiles.npy("<f4", false, new long[] {24, 16}, w, ByteOrder.LITTLE_ENDIAN);
        fuzz(good, "f.npy", 128);
    }

    @Test
    void safetensorsTruncationsAndCorruptions() throws Exception {
        Map<String, TensorFiles.Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", TensorFiles.f32(new long[] {24, 16}, AnalyzeCommandTest.floats(AnalyzeCommandTest.gaussian(384, 2))));
        t.put("a.bias", TensorFiles.f32(new long[] {24}, new float[24]));
        byte[] good = TensorFiles.safetensors(t);
        int headerEnd = 8 + (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong();
        fuzz(good, "f.safetensors", headerEnd);
    }

    /** A real torch.save archive: corrupt the pickle, the zip headers and the central directory. */
    @Test
    void torchArchiveTruncationsAndCorruptions() throws Exception {
        byte[] good = Files.readAllBytes(RealCheckpoints.file("mlp.pt"));
        fuzz(good, "f.pt", 1024, 1536); // the first member's header and the pickle; the central directory
    }

    /** A real numpy.savez_compressed archive: corrupt local headers, deflate streams and the central directory. */
    @Test
    void compressedNpzTruncationsAndCorruptions() throws Exception {
        byte[] good = Files.readAllBytes(RealCheckpoints.file("compressed.npz"));
        fuzz(good, "f.npz", 512, 1024);
    }

    private void fuzz(byte[] good, String name, int headerEnd) throws Exception {
        fuzz(good, name, headerEnd, 0);
    }

    /** Corrupts bytes in the first {@code headerEnd} bytes or, for every other case, in the last {@code tail}. */
    private void fuzz(byte[] good, String name, int headerEnd, int tail) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (int c = 0; c < CASES; c++) {
            byte[] bytes;
            String what;
            if (c % 3 == 0) {
                int length = random.nextInt(good.length);
                bytes = Arrays.copyOf(good, length);
                what = "truncated to " + length;
            } else {
                bytes = good.clone();
                int flips = 1 + random.nextInt(4);
                StringBuilder s = new StringBuilder("corrupted at");
                for (int f = 0; f < flips; f++) {
                    int at = tail > 0 && c % 2 == 0 ? good.length - 1 - random.nextInt(tail) : random.nextInt(headerEnd);
                    bytes[at] = (byte) random.nextInt(256);
                    s.append(' ').append(at);
                }
                what = s.toString();
            }
            Path p = TensorFiles.write(dir, c + name, bytes);
            AnalyzeCommandTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> AnalyzeCommandTest.run("analyze", "--format", "json", p.toString()), what);
            assertTrue(r.exit() == 0 || r.exit() == 2, what + ": exit " + r.exit() + " " + r.err());
            assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception") && !r.err().contains("Error:"),
                    what + ": " + r.err());
            if (r.exit() == 2) {
                assertTrue(r.err().contains(p.toString()), what + ": " + r.err());
            }
        }
    }
}
