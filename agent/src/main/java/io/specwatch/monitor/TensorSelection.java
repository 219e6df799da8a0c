package io.specwatch.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.specwatch.analysis.TensorInfo;

/**
 * Which tensors are analysed, the same rule for every source: two or more dimensions (biases and
 * norm scales are vectors), a name the {@code include} pattern finds, and one {@code exclude} does not.
 *
 * @param include tensors whose names match (found anywhere in the name) are analysed
 * @param exclude tensors whose names match are skipped (null: none)
 */
public record TensorSelection(Pattern include, Pattern exclude) {

    /** Every tensor with two or more dimensions. */
    public static final TensorSelection ALL = new TensorSelection(Pattern.compile(".*"), null);

    /** From regex strings ({@code exclude} may be null). */
    public static TensorSelection of(String include, String exclude) {
        return new TensorSelection(Pattern.compile(include), exclude == null ? null : Pattern.compile(exclude));
    }

    /** True when the tensor is analysed. */
    public boolean selects(TensorInfo tensor) {
        return tensor.dimensions() >= 2 && includes(tensor.name());
    }

    /** True when the name passes the patterns (dimensions aside). */
    public boolean includes(String name) {
        return include.matcher(name).find() && (exclude == null || !exclude.matcher(name).find());
    }

    /** The selected tensors, in their order. */
    public List<TensorInfo> select(List<TensorInfo> tensors) {
        List<TensorInfo> out = new ArrayList<>();
        for (TensorInfo t : tensors) {
            if (selects(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
