package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.specwatch.tensorfile.HostileCheckpoints;
import io.specwatch.tensorfile.Printable;
import io.specwatch.tensorfile.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inputs sized to exhaust memory, read by a real {@code specwatch analyze} process with a
 * 256 MiB heap: each is refused before anything is allocated, with one line saying how large it is
 * and what to do, never an OutOfMemoryError; and a checkpoint larger than that heap is analysed
 * whole, because tensors are read one at a time.
 */
class SmallHeapTest {

    @TempDir
    Path dir;

    record Process(int exit, String out, String err) {
    }

    @Test
    void memorySizedInputsAreRefusedInOneLineEachWithoutOutOfMemory() throws Exception {
        Path corpus = dir.resolve("corpus");
        List<HostileCheckpoints.Case> cases = new ArrayList<>(HostileCheckpoints.memorySized(corpus));
        // a real-size 99 MB safetensors header (one long metadata string): its parse needs more than this heap
        Path header = corpus.resolve("metadata99MB.safetensors");
        String big = "{\"__metadata__\":{\"x\":\"" + "a".repeat(99_000_000) + "\"}}";
        Files.write(header, TensorFiles.safetensorsRaw(big, new byte[0]));
        cases.add(new HostileCheckpoints.Case("metadata99MB", header, "of heap", List.of()));
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "json"));
        cases.forEach(c -> args.add(c.path().toString()));
        Process p = specwatch("256m", args);
        assertEquals(2, p.exit(), p.err());
        assertFalse(p.err().contains("OutOfMemoryError") || p.err().contains("\tat "), p.err());
        String[] lines = p.err().strip().split("\n");
        assertEquals(cases.size(), lines.length, p.err());
        for (int i = 0; i < cases.size(); i++) {
            HostileCheckpoints.Case c = cases.get(i);
            assertTrue(lines[i].startsWith("specwatch: " + Printable.of(c.path().toString())), c + ": " + lines[i]);
            assertTrue(lines[i].contains(c.reason()), c + ": " + lines[i]);
        }

        // with --max-elements raised past them, the heap check refuses them, and says what to do
        List<String> over = new ArrayList<>(List.of("analyze", "--max-elements", "2147483000"));
        List<HostileCheckpoints.Case> overHeap = HostileCheckpoints.overHeap(corpus);
        overHeap.forEach(c -> over.add(c.path().toString()));
        Process q = specwatch("256m", over);
        assertEquals(2, q.exit(), q.err());
        String[] refusals = q.err().strip().split("\n");
        assertEquals(overHeap.size(), refusals.length, q.err());
        for (String line : refusals) {
            assertTrue(line.contains("of heap as float32") && line.contains("JAVA_OPTS=-Xmx"), line);
        }
    }

    @Test
    void aCheckpointLargerThanTheHeapIsAnalysedOneTensorAtATime() throws Exception {
        // 48 bf16 tensors of 4096 × 512 (4 MiB each on disk, 8 MiB as float32): 384 MiB as float32, in a 128 MiB heap
        int tensors = 48;
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        long bytes = 4096L * 512 * 2;
        for (int i = 0; i < tensors; i++) {
            header.append(i == 0 ? "" : ",").append("\"layer").append(i).append(".weight\":{\"dtype\":\"BF16\",\"shape\":[4096,512],")
                    .append("\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        byte[] head = TensorFiles.safetensorsRaw(header.append('}').toString(), new byte[0]);
        Path file = dir.resolve("large.safetensors");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.write(head);
            // all ones: each matrix has rank one with σ₁² = 4096·512
            byte[] one = new byte[(int) bytes];
            for (int k = 0; k < one.length; k += 2) {
                one[k] = (byte) 0x80;
                one[k + 1] = 0x3f;
            }
            for (int i = 0; i < tensors; i++) {
                f.write(one);
            }
        }
        Process p = specwatch("128m", List.of("analyze", "--format", "json", "--engine", "gram32", file.toString()));
        assertEquals(0, p.exit(), p.err());
        List<String> records = p.out().lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(tensors, records.size(), p.err());
        for (String r : records) {
            double lambda = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r).get("lambda_max").asDouble();
            assertEquals(4096.0 * 512, lambda, 1e-3 * 4096 * 512, r);
        }
    }

    /** Runs bin/specwatch's main class in a new JVM with the given heap. */
    static Process specwatch(String heap, List<String> args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx" + heap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), Specwatch.class.getName()));
        command.addAll(args);
        Path out = Files.createTempFile("specwatch", ".out");
        Path err = Files.createTempFile("specwatch", ".err");
        java.lang.Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("specwatch did not finish in 300 s: " + Files.readString(err));
        }
        Process p = new Process(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return p;
    }
}
