package io.specwatch.monitor.djl;

import java.util.ArrayList;
import java.util.List;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.monitor.WeightSnapshot;

/**
 * Copies a DJL model's weight matrices to host float arrays: the only work the monitor does on
 * the training thread. Parameters with fewer than two dimensions (biases, norm scales) are
 * skipped. On a GPU, the host copy is made explicitly and closed at once, because DJL would
 * otherwise keep it attached to the model's memory manager.
 */
public final class DjlWeights {

    private DjlWeights() {
    }

    /** Bytes the selected parameters would take as float32 (to check the budget before copying). */
    public static long estimateBytes(Model model, SpectralMonitor.Settings settings) {
        long bytes = 0;
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            Parameter parameter = p.getValue();
            if (selected(p.getKey(), parameter, settings)) {
                bytes += 4L * parameter.getArray().size();
            }
        }
        return bytes;
    }

    /** Host copies of the selected parameters, in model order. */
    public static List<WeightSnapshot.Weight> copy(Model model, SpectralMonitor.Settings settings) {
        List<WeightSnapshot.Weight> weights = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            Parameter parameter = p.getValue();
            if (selected(p.getKey(), parameter, settings)) {
                NDArray array = parameter.getArray();
                weights.add(new WeightSnapshot.Weight(p.getKey(), array.getShape().getShape(), hostFloats(array)));
            }
        }
        return weights;
    }

    private static boolean selected(String name, Parameter parameter, SpectralMonitor.Settings settings) {
        return parameter.isInitialized() && parameter.getArray().getShape().dimension() >= 2 && settings.includes(name);
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
