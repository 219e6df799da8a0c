package io.specwatch.source.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.tensorfile.Checkpoint;

/**
 * The checkpoints in a directory a training job writes to, and which of them are ready. It
 * understands the layouts jobs write:
 * <ul>
 * <li>Hugging Face {@code Trainer}: {@code checkpoint-<N>/} directories (the step from the name, or
 *     {@code trainer_state.json}'s {@code global_step}); {@code tmp-checkpoint-*} is ignored;</li>
 * <li>files of a plain loop or of Lightning: {@code *.safetensors}, {@code *.pt}, {@code *.pth},
 *     {@code *.bin}, {@code *.ckpt}, {@code *.npz}, the step from {@code step=N}, {@code step-N},
 *     {@code step_N} or {@code stepN} in the name ({@code epoch=E-step=S.ckpt}), or from a
 *     user's pattern; Lightning's {@code last.ckpt} (a copy of the latest) is ignored;</li>
 * <li>other subdirectories holding weights (one checkpoint each), and the directory itself when
 *     it is one model (an index of shards, {@code model.safetensors}).</li>
 * </ul>
 * A checkpoint without a step in its name is numbered by modification time (1, 2, …).
 *
 * <p>A checkpoint is ready when it is structurally whole ({@link Checkpoint#incomplete}) and the
 * sizes of its files did not change since the previous scan, or none of its files was modified
 * for {@link #QUIET} (the same evidence, without waiting for a second scan: what a watcher started
 * on finished checkpoints sees): checkpoints are analysed only after the writer is done, on any
 * file system (network file systems deliver no change events, so this polls).
 */
final class CheckpointDirectory {

    private static final Pattern HF_CHECKPOINT = Pattern.compile("checkpoint-(\\d+)");
    private static final Pattern STEP = Pattern.compile("(?i)step[=_-]?(\\d+)");
    private static final Set<String> WEIGHT_SUFFIXES = Set.of(".safetensors", ".pt", ".pth", ".bin", ".ckpt", ".npz");
    /** Files of a Trainer's checkpoint or a loop's output that hold no model weights. */
    private static final Set<String> NOT_WEIGHTS = Set.of("optimizer.pt", "scheduler.pt", "scaler.pt", "training_args.bin", "last.ckpt");
    private static final Pattern SHARD = Pattern.compile(".*-\\d{5}-of-\\d{5}\\.(safetensors|bin)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A checkpoint whose files were all last modified this long ago is not being written. */
    static final java.time.Duration QUIET = java.time.Duration.ofSeconds(10);

    private final Path root;
    private final Pattern stepPattern;
    /** The file sizes of each candidate at the previous scan. */
    private final Map<Path, Map<Path, Long>> previousSizes = new HashMap<>();

    /**
     * @param root        the directory the job writes checkpoints into
     * @param stepPattern a regex whose group 1 is the step, tried on each checkpoint's name first (null: none)
     */
    CheckpointDirectory(Path root, Pattern stepPattern) {
        this.root = root;
        this.stepPattern = stepPattern;
    }

    /** The checkpoints present now, in step order (then path order). */
    List<CheckpointCandidate> scan() throws IOException {
        List<Path> paths = candidates();
        List<CheckpointCandidate> stepped = new ArrayList<>();
        List<Path> unnumbered = new ArrayList<>();
        for (Path p : paths) {
            Optional<Long> step = step(p);
            if (step.isPresent()) {
                stepped.add(new CheckpointCandidate(p, step.get(), false));
            } else {
                unnumbered.add(p);
            }
        }
        unnumbered.sort(Comparator.comparingLong(CheckpointDirectory::modified).thenComparing(Path::toString));
        for (int i = 0; i < unnumbered.size(); i++) {
            stepped.add(new CheckpointCandidate(unnumbered.get(i), i + 1, true));
        }
        stepped.sort(Comparator.comparingLong(CheckpointCandidate::step).thenComparing(c -> c.path().toString()));
        return stepped;
    }

    private List<Path> candidates() throws IOException {
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        boolean hfCheckpoints = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.startsWith("tmp-checkpoint-")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    if (HF_CHECKPOINT.matcher(name).matches()) {
                        hfCheckpoints = true;
                        dirs.add(p);
                    } else if (holdsWeights(p)) {
                        dirs.add(p);
                    }
                } else if (isWeightFile(name)) {
                    files.add(p);
                }
            }
        }
        if (hfCheckpoints) {
            // a Trainer's output directory: its checkpoints, not the final model it may also save beside them
            dirs.removeIf(d -> !HF_CHECKPOINT.matcher(d.getFileName().toString()).matches());
            return dirs;
        }
        if (isOneModel(files)) {
            return List.of(root);
        }
        List<Path> all = new ArrayList<>(dirs);
        all.addAll(files);
        return all;
    }

    /** An index of shards, or model.safetensors / pytorch_model.bin: the directory is one model. */
    private boolean isOneModel(List<Path> files) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "*.index.json")) {
            if (entries.iterator().hasNext()) {
                return true;
            }
        }
        return files.stream().map(f -> f.getFileName().toString()).anyMatch(n -> n.equals("model.safetensors") || n.equals("pytorch_model.bin"));
    }

    private static boolean holdsWeights(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.endsWith(".index.json") || (Files.isRegularFile(p) && isWeightFile(name))) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static boolean isWeightFile(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (NOT_WEIGHTS.contains(lower) || lower.startsWith("rng_state") || SHARD.matcher(lower).matches()) {
            return false;
        }
        for (String suffix : WEIGHT_SUFFIXES) {
            if (lower.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** The step a checkpoint's name (or a Trainer's state file) gives, if any. */
    Optional<Long> step(Path p) {
        String name = p.getFileName().toString();
        if (stepPattern != null) {
            Matcher m = stepPattern.matcher(name);
            if (m.find() && m.groupCount() >= 1 && m.group(1) != null) {
                return parse(m.group(1));
            }
        }
        Matcher hf = HF_CHECKPOINT.matcher(name);
        if (hf.matches()) {
            Optional<Long> global = trainerStateStep(p.resolve("trainer_state.json"));
            return global.isPresent() ? global : parse(hf.group(1));
        }
        Matcher m = STEP.matcher(name);
        if (m.find()) {
            return parse(m.group(1));
        }
        if (Files.isDirectory(p)) {
            return trainerStateStep(p.resolve("trainer_state.json"));
        }
        return Optional.empty();
    }

    private static Optional<Long> parse(String digits) {
        try {
            return Optional.of(Long.parseLong(digits));
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }

    private static Optional<Long> trainerStateStep(Path state) {
        try {
            if (!Files.isRegularFile(state) || Files.size(state) > (16 << 20)) {
                return Optional.empty();
            }
            JsonNode node = JSON.readTree(state.toFile()).path("global_step");
            return node.canConvertToLong() ? Optional.of(node.asLong()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * True when the checkpoint is whole and its files' sizes are those of the previous call for it,
     * or (at any call) none of its files changed for {@link #QUIET}.
     */
    boolean ready(CheckpointCandidate c) {
        Map<Path, Long> sizes = sizes(c.path());
        Map<Path, Long> before = previousSizes.put(c.path(), sizes);
        if (sizes.isEmpty()) {
            return false;
        }
        if (!sizes.equals(before) && !quiet(sizes.keySet())) {
            return false;
        }
        return Checkpoint.incomplete(c.path()).isEmpty();
    }

    private static boolean quiet(java.util.Collection<Path> files) {
        long limit = System.currentTimeMillis() - QUIET.toMillis();
        try {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toMillis() > limit) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Forgets a checkpoint (analysed, failed or gone). */
    void forget(Path p) {
        previousSizes.remove(p);
    }

    private static Map<Path, Long> sizes(Path p) {
        Map<Path, Long> sizes = new HashMap<>();
        try {
            if (Files.isDirectory(p)) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                    for (Path f : entries) {
                        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        if (a.isRegularFile()) {
                            sizes.put(f, a.size());
                        }
                    }
                }
            } else {
                sizes.put(p, Files.size(p));
            }
        } catch (IOException e) {
            return Map.of(); // vanished (rotated away) or unreadable now: not ready
        }
        return sizes;
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
