package io.specwatch.tensorfile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Which files of a Hugging Face model or Trainer checkpoint directory hold the model's weights,
 * in the order {@code transformers} itself prefers: a sharded safetensors index, a single
 * {@code model.safetensors}, a sharded {@code pytorch_model.bin} index, a single
 * {@code pytorch_model.bin}, else every {@code *.safetensors} (adapters, diffusers). Optimizer,
 * scheduler, RNG and {@code training_args.bin} files are never opened.
 */
final class ModelDirectory {

    /** Largest index file read (an index of 100 000 tensors is about 8 MB). */
    static final long MAX_INDEX_BYTES = 64L << 20;

    private static final Pattern TRAINER_CHECKPOINT = Pattern.compile("checkpoint-\\d+");
    private static final List<String[]> LAYOUTS = List.of(
            new String[] {"model.safetensors.index.json", null},
            new String[] {null, "model.safetensors"},
            new String[] {"pytorch_model.bin.index.json", null},
            new String[] {null, "pytorch_model.bin"});

    /** The weight files and the index that lists them (null when there is none). */
    record Layout(Path index, List<Path> weights, Map<Path, Set<String>> expected) {
    }

    private ModelDirectory() {
    }

    static Layout layout(Path dir, ReadLimits limits) throws TensorFormatException {
        for (String[] l : LAYOUTS) {
            if (l[0] != null && Files.isRegularFile(dir.resolve(l[0]))) {
                return indexed(dir, dir.resolve(l[0]), limits);
            }
            if (l[1] != null && Files.isRegularFile(dir.resolve(l[1]))) {
                return new Layout(null, List.of(dir.resolve(l[1])), Map.of());
            }
        }
        List<Path> safetensors = new ArrayList<>();
        boolean checkpoints = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(".safetensors") && Files.isRegularFile(p)) {
                    safetensors.add(p);
                }
                checkpoints |= TRAINER_CHECKPOINT.matcher(name).matches() && Files.isDirectory(p);
                if (safetensors.size() > limits.maxTensors()) {
                    throw new TensorFormatException("more than " + limits.maxTensors() + " .safetensors files");
                }
            }
        } catch (IOException e) {
            throw new TensorFormatException("cannot list the directory: " + e.getMessage());
        }
        if (!safetensors.isEmpty()) {
            safetensors.sort(null);
            return new Layout(null, safetensors, Map.of());
        }
        if (checkpoints) {
            throw new TensorFormatException("holds Trainer checkpoints (checkpoint-N directories), not a model: pass one of them"
                    + " (or watch the directory with specwatch watch)");
        }
        throw new TruncatedException("no model weights found: expected model.safetensors, model.safetensors.index.json,"
                + " pytorch_model.bin or its index, or .safetensors files");
    }

    /** Is this a Trainer checkpoint, whose trainer_state.json is written last? */
    static boolean isTrainerCheckpoint(Path dir) {
        return TRAINER_CHECKPOINT.matcher(String.valueOf(dir.getFileName())).matches() || Files.exists(dir.resolve("optimizer.pt"))
                || Files.exists(dir.resolve("scheduler.pt"));
    }

    /** Why the directory is not yet a whole checkpoint, or empty. */
    static Optional<String> incomplete(Path dir) {
        String name = String.valueOf(dir.getFileName());
        if (name.startsWith("tmp-checkpoint-")) {
            return Optional.of("a temporary Trainer directory (being written)");
        }
        Layout layout;
        try {
            layout = layout(dir, ReadLimits.DEFAULT);
        } catch (TruncatedException e) {
            return Optional.of(e.getMessage());
        } catch (TensorFormatException e) {
            return Optional.empty(); // whole but unreadable: opening it says why
        }
        for (Path weights : layout.weights()) {
            Optional<String> partial = Checkpoint.incompleteFile(weights);
            if (partial.isPresent()) {
                return Optional.of(weights.getFileName() + ": " + partial.get());
            }
        }
        if (isTrainerCheckpoint(dir) && !Files.isRegularFile(dir.resolve("trainer_state.json"))) {
            return Optional.of("no trainer_state.json yet (the Trainer writes it last)");
        }
        return Optional.empty();
    }

    /** Reads an index's weight_map (streamed, bounded) and checks that every shard it names exists. */
    private static Layout indexed(Path dir, Path index, ReadLimits limits) throws TensorFormatException {
        String where = index.getFileName().toString();
        long size;
        try {
            size = Files.size(index);
        } catch (IOException e) {
            throw new TensorFormatException(where + ": cannot read: " + e.getMessage());
        }
        if (size > MAX_INDEX_BYTES) {
            throw new TensorFormatException(where + " is " + size + " bytes, more than the " + MAX_INDEX_BYTES + " allowed");
        }
        Heap.require(8 * size, where);
        Map<Path, Set<String>> shards = new LinkedHashMap<>();
        int tensors = 0;
        try (InputStream in = Files.newInputStream(index); JsonParser p = new JsonFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TensorFormatException(where + ": not a JSON object");
            }
            boolean found = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (!field.equals("weight_map")) {
                    p.skipChildren();
                    continue;
                }
                if (v != JsonToken.START_OBJECT) {
                    throw new TensorFormatException(where + ": weight_map is not an object");
                }
                found = true;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String tensor = p.currentName();
                    if (p.nextToken() != JsonToken.VALUE_STRING) {
                        throw new TensorFormatException(where + ": the shard of '" + Printable.of(tensor) + "' is not a file name");
                    }
                    String shard = p.getText();
                    if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals(".") || shard.equals("..")
                            || shard.indexOf('\0') >= 0) {
                        throw new TensorFormatException(where + ": shard '" + Printable.of(shard) + "' is not a file in the directory");
                    }
                    if (++tensors > limits.maxTensors()) {
                        throw new TensorFormatException(where + ": more than " + limits.maxTensors() + " tensors");
                    }
                    shards.computeIfAbsent(dir.resolve(shard), k -> new LinkedHashSet<>()).add(tensor);
                }
            }
            if (!found) {
                throw new TensorFormatException(where + ": no weight_map");
            }
        } catch (TensorFormatException e) {
            throw e;
        } catch (JacksonException e) {
            throw new TensorFormatException(where + ": malformed JSON: " + Printable.of(String.valueOf(e.getOriginalMessage())));
        } catch (IOException e) {
            throw new TensorFormatException(where + ": cannot read: " + e.getMessage());
        }
        List<Path> weights = new ArrayList<>(shards.keySet());
        weights.sort(null);
        for (Path shard : weights) {
            if (!Files.isRegularFile(shard)) {
                throw new TruncatedException(where + " names shard " + Printable.of(shard.getFileName().toString())
                        + ", which is missing");
            }
        }
        return new Layout(index, weights, shards);
    }
}
