package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.specwatch.analysis.TensorInfo;
import org.junit.jupiter.api.Test;

class TensorSelectionTest {

    static final List<TensorInfo> TENSORS = List.of(new TensorInfo("fc1.weight", new long[] {4, 3}),
            new TensorInfo("fc1.bias", new long[] {4}), new TensorInfo("conv.weight", new long[] {8, 3, 3, 3}),
            new TensorInfo("head.weight", new long[] {2, 4}));

    static List<String> names(List<TensorInfo> t) {
        return t.stream().map(TensorInfo::name).toList();
    }

    @Test
    void vectorsAreNeverSelectedAndPatternsAreFoundAnywhereInTheName() {
        assertEquals(List.of("fc1.weight", "conv.weight", "head.weight"), names(TensorSelection.ALL.select(TENSORS)));
        assertEquals(List.of("fc1.weight", "head.weight"), names(TensorSelection.of("weight", "conv").select(TENSORS)));
        assertEquals(List.of("head.weight"), names(TensorSelection.of("^head", null).select(TENSORS)));
    }
}
