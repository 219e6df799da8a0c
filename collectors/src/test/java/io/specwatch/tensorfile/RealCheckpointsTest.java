package io.specwatch.tensorfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every checkpoint the real frameworks wrote is read with the names, shapes and order Python lists
 * and with bit-identical values (SHA-256 of the float32 and float64 copies Python made).
 */
class RealCheckpointsTest {

    @TempDir
    Path tmp;

    @Test
    void everyCheckpointReadsAsPythonReadsIt() throws Exception {
        JsonNode expected = RealCheckpoints.expected();
        List<String> checked = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Path path = RealCheckpoints.file(e.getKey());
            try (Checkpoint c = Checkpoint.open(path)) {
                JsonNode tensors = e.getValue();
                List<String> names = c.entries().stream().map(TensorEntry::name).toList();
                List<String> pythonNames = new ArrayList<>();
                tensors.forEach(t -> pythonNames.add(t.get("name").asText()));
                assertEquals(pythonNames, names, e.getKey());
                for (int i = 0; i < tensors.size(); i++) {
                    JsonNode t = tensors.get(i);
                    TensorEntry entry = c.entries().get(i);
                    String what = e.getKey() + " " + entry.name();
                    long[] shape = new long[t.get("shape").size()];
                    for (int d = 0; d < shape.length; d++) {
                        shape[d] = t.get("shape").get(d).asLong();
                    }
                    assertArrayEquals(shape, entry.shape(), what);
                    if (t.get("sha32").isNull()) {
                        assertNull(entry.type(), what + " is not floating point (" + t.get("dtype").asText() + ")");
                        assertThrows(TensorFormatException.class, () -> c.readFloats(entry), what);
                        continue;
                    }
                    assertNotNull(entry.type(), what);
                    assertEquals(t.get("sha32").asText(), RealCheckpoints.sha256(c.readFloats(entry)), what + " float32 values");
                    if (!t.get("sha64").isNull()) {
                        assertEquals(t.get("sha64").asText(), RealCheckpoints.sha256(c.readDoubles(entry)), what + " float64 values");
                    }
                }
                checked.add(e.getKey());
            }
        }
        assertTrue(checked.size() >= 20, "checked " + checked);
    }

    @Test
    void viewsAreReadThroughTheirStrides() throws Exception {
        try (Checkpoint c = Checkpoint.open(RealCheckpoints.file("mixed.pt"))) {
            TensorEntry transposed = entry(c, "transposed");
            assertFalse(transposed.rowMajorContiguous());
            assertArrayEquals(new long[] {1, 20}, transposed.strides());
            TensorEntry expanded = entry(c, "expanded");
            assertArrayEquals(new long[] {0, 1}, expanded.strides());
            float[] v = c.readFloats(expanded);
            for (int row = 1; row < 6; row++) {
                for (int col = 0; col < 8; col++) {
                    assertEquals(v[col], v[row * 8 + col]);
                }
            }
            assertEquals("uint16", entry(c, "u16").typeName());
            assertEquals("bfloat16", entry(c, "bf16").typeName());
        }
    }

    @Test
    void aLightningCheckpointListsItsStateDictNotTheOptimizersMoments() throws Exception {
        try (Checkpoint c = Checkpoint.open(RealCheckpoints.file("lightning.ckpt"))) {
            List<String> names = c.entries().stream().map(TensorEntry::name).toList();
            assertEquals(List.of("net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"), names);
        }
        try (Checkpoint c = Checkpoint.open(RealCheckpoints.file("nested.pt"))) {
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), c.entries().stream().map(TensorEntry::name).toList());
        }
    }

    @Test
    void aTrainerCheckpointDirectoryReadsOnlyTheModelFile() throws Exception {
        Path dir = RealCheckpoints.file("trainer/checkpoint-2");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of(dir.resolve("model.safetensors")), c.files());
        }
        assertEquals(Optional.empty(), Checkpoint.incomplete(dir));
        // the Trainer's other files are refused by name, never parsed
        for (String f : List.of("optimizer.pt", "scheduler.pt", "rng_state.pth", "training_args.bin")) {
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> Checkpoint.open(dir.resolve(f)), f);
            assertTrue(e.getMessage().contains("not model weights"), e.getMessage());
        }
    }

    @Test
    void aShardedModelListsItsIndexAndEveryShard() throws Exception {
        Path dir = RealCheckpoints.file("gpt2-sharded");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(dir.resolve("model.safetensors.index.json"), c.files().get(0));
            long shards;
            try (var list = Files.list(dir)) {
                shards = list.filter(p -> p.toString().endsWith(".safetensors")).count();
            }
            assertEquals(shards + 1, c.files().size());
            assertTrue(shards >= 3);
        }
        try (Checkpoint c = Checkpoint.open(RealCheckpoints.file("gpt2-bin-sharded"))) {
            assertEquals(3, c.files().size());
        }
    }

    @Test
    void completeCheckpointsAreCompleteAndTruncatedCopiesAreNot() throws Exception {
        for (String f : List.of("mlp.pt", "mlp.safetensors", "arrays.npz", "compressed.npz", "f64.npy", "lightning.ckpt")) {
            Path original = RealCheckpoints.file(f);
            assertEquals(Optional.empty(), Checkpoint.incomplete(original), f);
            byte[] bytes = Files.readAllBytes(original);
            for (double fraction : new double[] {0.0, 0.1, 0.5, 0.9}) {
                Path cut = tmp.resolve("cut-" + fraction + "-" + f);
                Files.write(cut, java.util.Arrays.copyOf(bytes, (int) (bytes.length * fraction) + (fraction == 0 ? 0 : -1)));
                assertTrue(Checkpoint.incomplete(cut).isPresent(), f + " cut at " + fraction);
            }
        }
        assertEquals(Optional.of("does not exist"), Checkpoint.incomplete(tmp.resolve("nothing.pt")));
    }

    @Test
    void aDirectoryIsIncompleteUntilEveryShardAndTheTrainerStateExist() throws Exception {
        Path sharded = copy(RealCheckpoints.file("gpt2-sharded"), tmp.resolve("sharded"));
        assertEquals(Optional.empty(), Checkpoint.incomplete(sharded));
        Path shard;
        try (var list = Files.list(sharded)) {
            shard = list.filter(p -> p.getFileName().toString().startsWith("model-00002")).findFirst().orElseThrow();
        }
        Files.move(shard, tmp.resolve("aside"));
        assertTrue(Checkpoint.incomplete(sharded).orElseThrow().contains("missing"));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Checkpoint.open(sharded));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());

        Path trainer = copy(RealCheckpoints.file("trainer/checkpoint-2"), tmp.resolve("checkpoint-2"));
        Files.delete(trainer.resolve("trainer_state.json"));
        assertTrue(Checkpoint.incomplete(trainer).orElseThrow().contains("trainer_state.json"));
        Path temporary = copy(RealCheckpoints.file("trainer/checkpoint-2"), tmp.resolve("tmp-checkpoint-2"));
        assertTrue(Checkpoint.incomplete(temporary).isPresent());
    }

    private static TensorEntry entry(Checkpoint c, String name) {
        return c.entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var list = Files.list(from)) {
            for (Path p : list.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
        return to;
    }
}
