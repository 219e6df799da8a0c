package io.specwatch.monitor;

import java.util.ArrayList;
import java.util.List;

import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.analysis.WeightTensor;

/**
 * Where a model's weights come from: a training framework's hook, an agent, a checkpoint on disk.
 * A source says which tensors exist and copies one on demand; the monitor decides when to take a
 * snapshot and which tensors to take ({@link TensorSelection}, the same for every source).
 *
 * <p>For a training framework, {@link #tensors} and {@link #copy} run on the training thread and
 * should be cheap: list names and shapes, copy to host memory. A source of files can return
 * handles that read later, on the analysis thread ({@link WeightTensor#heldBytes()} 0).
 */
public interface WeightSource {

    /** The tensors that exist now, in model order: names and shapes, nothing copied. */
    List<TensorInfo> tensors() throws Exception;

    /** A copy of one tensor (or a handle that reads it later), for a tensor {@link #tensors} listed. */
    WeightTensor copy(TensorInfo tensor) throws Exception;

    /** Bytes {@link #copy} will hold in memory, checked against the monitor's budget before copying. */
    default long copyBytes(TensorInfo tensor) {
        long elements = tensor.elements();
        return elements > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * elements;
    }

    /** A source over tensors the caller has already copied. */
    static WeightSource of(List<? extends WeightSnapshot.Weight> weights) {
        List<WeightSnapshot.Weight> copies = List.copyOf(weights);
        return new WeightSource() {
            @Override
            public List<TensorInfo> tensors() {
                List<TensorInfo> out = new ArrayList<>(copies.size());
                copies.forEach(w -> out.add(w.info()));
                return out;
            }

            @Override
            public WeightTensor copy(TensorInfo tensor) {
                for (WeightSnapshot.Weight w : copies) {
                    if (w.name().equals(tensor.name())) {
                        return w;
                    }
                }
                throw new IllegalArgumentException("no tensor " + tensor.name());
            }
        };
    }

    /** A source of one tensor whose values {@code copier} copies when the monitor asks. */
    static WeightSource single(String name, long[] shape, java.util.function.Supplier<float[]> copier) {
        TensorInfo info = new TensorInfo(name, shape);
        return new WeightSource() {
            @Override
            public List<TensorInfo> tensors() {
                return List.of(info);
            }

            @Override
            public WeightTensor copy(TensorInfo tensor) {
                return new WeightSnapshot.Weight(name, shape, copier.get());
            }
        };
    }
}
