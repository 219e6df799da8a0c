package io.specwatch.source.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.specwatch.tensorfile.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which checkpoints a directory holds, their steps, and when each is ready to read. */
class CheckpointDirectoryTest {

    @TempDir
    Path dir;

    static List<String> names(List<CheckpointCandidate> cs) {
        return cs.stream().map(c -> c.path().getFileName() + "@" + c.step() + (c.numbered() ? "#" : "")).toList();
    }

    @Test
    void stepsComeFromTheNamesTheFrameworksWrite() throws Exception {
        for (String f : List.of("epoch=1-step=120.ckpt", "last.ckpt", "model_step_7.pt", "ckpt-step-30.safetensors", "step45.pth",
                "optimizer.pt", "training_args.bin", "notes.txt", "weights.npz", "later.npz", "model-00001-of-00002.safetensors")) {
            Files.writeString(dir.resolve(f), "x");
        }
        Files.setLastModifiedTime(dir.resolve("weights.npz"), FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(dir.resolve("later.npz"), FileTime.fromMillis(2_000_000));
        Files.createDirectories(dir.resolve("tmp-checkpoint-50"));
        Files.writeString(dir.resolve("tmp-checkpoint-50/model.safetensors"), "x");
        assertEquals(List.of("weights.npz@1#", "later.npz@2#", "model_step_7.pt@7", "ckpt-step-30.safetensors@30", "step45.pth@45",
                "epoch=1-step=120.ckpt@120"), names(new CheckpointDirectory(dir, null).scan()));
        Files.writeString(dir.resolve("iter900_weights.pt"), "x");
        assertTrue(names(new CheckpointDirectory(dir, Pattern.compile("iter(\\d+)")).scan()).contains("iter900_weights.pt@900"));
    }

    @Test
    void aTrainerDirectoryIsItsCheckpointsWithTheStepsOfTheirState() throws Exception {
        for (int step : new int[] {10, 20}) {
            Path c = Files.createDirectories(dir.resolve("checkpoint-" + step));
            Files.writeString(c.resolve("model.safetensors"), "x");
            Files.writeString(c.resolve("trainer_state.json"), "{\"global_step\": " + (step + 1) + "}");
        }
        Files.writeString(dir.resolve("model.safetensors"), "x"); // the final save beside them
        Files.createDirectories(dir.resolve("runs")); // TensorBoard logs: no weights
        assertEquals(List.of("checkpoint-10@11", "checkpoint-20@21"), names(new CheckpointDirectory(dir, null).scan()));
    }

    @Test
    void aCheckpointIsReadyWhenWholeAndUnchangedSinceTheLastScan() throws Exception {
        byte[] whole = TensorFiles.safetensors(Map.of("w", TensorFiles.f32(new long[] {4, 4}, new float[16])));
        Path file = dir.resolve("w_step_1.safetensors");
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2)); // still being written
        CheckpointDirectory d = new CheckpointDirectory(dir, null);
        CheckpointCandidate c = d.scan().get(0);
        assertFalse(d.ready(c), "half a file");
        assertFalse(d.ready(c), "stable but incomplete");
        Files.write(file, whole);
        assertFalse(d.ready(c), "complete now, but its size changed since the last scan");
        assertTrue(d.ready(c), "complete and unchanged");
        Files.delete(file);
        assertFalse(d.ready(c), "rotated away");
    }

    @Test
    void aWholeCheckpointUntouchedForTheQuietTimeIsReadyAtTheFirstScan() throws Exception {
        byte[] whole = TensorFiles.safetensors(Map.of("w", TensorFiles.f32(new long[] {4, 4}, new float[16])));
        Path old = dir.resolve("w_step_1.safetensors");
        Path fresh = dir.resolve("w_step_2.safetensors");
        Path oldButCut = dir.resolve("w_step_3.safetensors");
        Files.write(old, whole);
        Files.write(fresh, whole);
        Files.write(oldButCut, java.util.Arrays.copyOf(whole, whole.length - 3));
        FileTime longAgo = FileTime.fromMillis(System.currentTimeMillis() - CheckpointDirectory.QUIET.toMillis() - 60_000);
        Files.setLastModifiedTime(old, longAgo);
        Files.setLastModifiedTime(oldButCut, longAgo);
        CheckpointDirectory d = new CheckpointDirectory(dir, null);
        List<CheckpointCandidate> cs = d.scan();
        assertEquals(List.of("w_step_1.safetensors@1", "w_step_2.safetensors@2", "w_step_3.safetensors@3"), names(cs));
        assertTrue(d.ready(cs.get(0)), "whole and untouched for longer than " + CheckpointDirectory.QUIET);
        assertFalse(d.ready(cs.get(1)), "whole, but written just now: wait for a second scan");
        assertFalse(d.ready(cs.get(2)), "untouched, but cut short: never ready");
        assertTrue(d.ready(cs.get(1)), "unchanged at the second scan");
    }

    @Test
    void aTrainerCheckpointWithoutItsStateIsNotReady() throws Exception {
        Path c = Files.createDirectories(dir.resolve("checkpoint-5"));
        Files.write(c.resolve("model.safetensors"), TensorFiles.safetensors(Map.of("w", TensorFiles.f32(new long[] {2, 2}, new float[4]))));
        CheckpointDirectory d = new CheckpointDirectory(dir, null);
        CheckpointCandidate candidate = d.scan().get(0);
        d.ready(candidate);
        assertFalse(d.ready(candidate), "trainer_state.json is written last");
        Files.writeString(c.resolve("trainer_state.json"), "{\"global_step\": 5}");
        d.ready(candidate);
        assertTrue(d.ready(candidate));
    }
}
