package io.specwatch.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.specwatch.analysis.TensorInfo;

/**
 * One of {@code count} disjoint shares of a model's matrices: shard {@code index} of a job's
 * ranks (or of several {@code specwatch watch --shard i/n} processes). The shares together hold
 * every tensor exactly once and cost about the same to analyse.
 *
 * <p>The assignment is a function of the tensor list alone (names and shapes, duplicates after
 * the first ignored), so every process that lists the same model computes the same one, whatever
 * its JVM, hash seeds or the order it lists them in: tensors are taken from the most to the least
 * costly (ties by name), each into the shard with the smallest total cost so far (ties to the
 * lowest index) — the longest-processing-time rule, whose largest share is within 4/3 of the best
 * possible. The cost of an N × M matrix (N ≥ M) is N·M² + 4·M³: the Gram matrix and its
 * eigendecomposition, whose ratio 4 fits the engine timings of docs/benchmarks.md (a 4096 × 11008
 * matrix takes 1.3 times as long as a 4096², not the 2.7 times of N·M² alone); a convolution
 * kernel (out, in, k…) costs its k… slices.
 *
 * @param index this shard, 0 ≤ index < count
 * @param count number of shards (≥ 1)
 */
public record Shard(int index, int count) {

    /** Everything: one shard of one. */
    public static final Shard WHOLE = new Shard(0, 1);

    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})/(\\d{1,9})");

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": expected 0 <= index < count");
        }
    }

    /**
     * From {@code i/n}, e.g. {@code 0/4} … {@code 3/4}.
     *
     * @throws IllegalArgumentException with what is expected
     */
    public static Shard parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("a shard is INDEX/COUNT with 0 <= INDEX < COUNT, e.g. 0/4; got '" + text + "'");
        }
        int index = Integer.parseInt(m.group(1));
        int count = Integer.parseInt(m.group(2));
        if (count < 1 || index >= count) {
            throw new IllegalArgumentException("a shard is INDEX/COUNT with 0 <= INDEX < COUNT, e.g. 0/4; got '" + text + "'");
        }
        return new Shard(index, count);
    }

    /** The names of the tensors shard {@code index} of {@code count} analyses, in list order. */
    public static List<String> names(List<TensorInfo> tensors, int index, int count) {
        return new Shard(index, count).select(tensors).stream().map(TensorInfo::name).toList();
    }

    /** This shard's tensors, in their list order. */
    public List<TensorInfo> select(List<TensorInfo> tensors) {
        if (count == 1) {
            return distinct(tensors);
        }
        Set<String> mine = assign(tensors, count).entrySet().stream().filter(e -> e.getValue() == index)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        List<TensorInfo> out = new ArrayList<>();
        for (TensorInfo t : distinct(tensors)) {
            if (mine.contains(t.name())) {
                out.add(t);
            }
        }
        return out;
    }

    /** Every tensor's shard (name to index), in list order. */
    public static Map<String, Integer> assign(List<TensorInfo> tensors, int count) {
        new Shard(0, count); // validates count
        List<TensorInfo> byCost = new ArrayList<>(distinct(tensors));
        byCost.sort(Comparator.comparingDouble(Shard::cost).reversed().thenComparing(TensorInfo::name));
        double[] load = new double[count];
        Map<String, Integer> chosen = new LinkedHashMap<>();
        for (TensorInfo t : byCost) {
            int least = 0;
            for (int s = 1; s < count; s++) {
                if (load[s] < load[least]) {
                    least = s;
                }
            }
            load[least] += cost(t);
            chosen.put(t.name(), least);
        }
        Map<String, Integer> inListOrder = new LinkedHashMap<>();
        for (TensorInfo t : distinct(tensors)) {
            inListOrder.put(t.name(), chosen.get(t.name()));
        }
        return inListOrder;
    }

    /**
     * The analysis cost of a tensor, up to a constant: N·M² + 4·M³ for an N × M matrix (N ≥ M),
     * times the kernel positions of a convolution; the element count for fewer than two dimensions.
     */
    public static double cost(TensorInfo tensor) {
        long[] shape = tensor.shape();
        if (shape.length < 2) {
            return tensor.elements();
        }
        double out = shape[0];
        double in = shape[1];
        double positions = 1;
        for (int i = 2; i < shape.length; i++) {
            positions *= shape[i];
        }
        double n = Math.max(out, in);
        double m = Math.min(out, in);
        return positions * m * m * (n + 4 * m);
    }

    private static List<TensorInfo> distinct(List<TensorInfo> tensors) {
        Map<String, TensorInfo> first = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            first.putIfAbsent(t.name(), t);
        }
        return new ArrayList<>(first.values());
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
