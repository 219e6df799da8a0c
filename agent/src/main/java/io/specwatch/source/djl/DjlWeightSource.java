package io.specwatch.source.djl;

import java.util.ArrayList;
import java.util.List;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.analysis.WeightTensor;
import io.specwatch.monitor.WeightSource;

/**
 * A DJL model's initialised parameters as a {@link WeightSource}, copied to host float arrays: the
 * only work the monitor does on the training thread. On a GPU, the host copy is made explicitly
 * and closed at once, because DJL would otherwise keep it attached to the model's memory manager.
 */
public final class DjlWeightSource implements WeightSource {

    private final Model model;

    public DjlWeightSource(Model model) {
        this.model = model;
    }

    public Model model() {
        return model;
    }

    /** The initialised parameters in model order (DJL names them like {@code 01Linear_weight}). */
    @Override
    public List<TensorInfo> tensors() {
        List<TensorInfo> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            Parameter parameter = p.getValue();
            if (parameter.isInitialized()) {
                out.add(new TensorInfo(p.getKey(), parameter.getArray().getShape().getShape()));
            }
        }
        return out;
    }

    @Override
    public WeightTensor copy(TensorInfo tensor) {
        Parameter parameter = model.getBlock().getParameters().get(tensor.name());
        if (parameter == null || !parameter.isInitialized()) {
            throw new IllegalStateException("parameter " + tensor.name() + " is gone from the model");
        }
        NDArray array = parameter.getArray();
        return new WeightSnapshot.Weight(tensor.name(), array.getShape().getShape(), hostFloats(array));
    }

    private static float[] hostFloats(NDArray array) {
        boolean onHost = array.getDevice().equals(Device.cpu());
        boolean isFloat = array.getDataType() == DataType.FLOAT32;
        if (onHost && isFloat) {
            return array.toFloatArray();
        }
        NDArray host = onHost ? array : array.toDevice(Device.cpu(), true);
        try (NDArray converted = isFloat ? host.duplicate() : host.toType(DataType.FLOAT32, true)) {
            return converted.toFloatArray();
        } finally {
            if (host != array) {
                host.close();
            }
        }
    }
}
