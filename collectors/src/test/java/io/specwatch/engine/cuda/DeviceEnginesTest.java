package io.specwatch.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.ComputeDevice;
import io.specwatch.engine.DeviceEngines;
import io.specwatch.engine.LapackSvdEngine;
import org.junit.jupiter.api.Test;

/** Which engine a device and an engine name give, with and without a (stand-in) GPU. */
class DeviceEnginesTest {

    private static final CudaSettings DEFAULTS = CudaSettings.defaults(0);

    private static CudaLibraries none() {
        return CudaLibraries.inspect(new LibrarySearch.Environment(Map.of(), Path.of("/nonexistent"), "x86_64", false), false);
    }

    @Test
    void devicesParse() {
        assertEquals(ComputeDevice.AUTO, ComputeDevice.parse("auto"));
        assertEquals(ComputeDevice.CPU, ComputeDevice.parse(" CPU "));
        assertEquals(new ComputeDevice(ComputeDevice.Kind.CUDA, 0), ComputeDevice.parse("cuda"));
        assertEquals(new ComputeDevice(ComputeDevice.Kind.CUDA, 3), ComputeDevice.parse("cuda:3"));
        assertEquals("cuda:3", ComputeDevice.parse("cuda:3").toString());
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:123456", "", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeDevice.parse(bad));
            assertTrue(e.getMessage().startsWith("device must be auto, cpu, cuda or cuda:N, got '"), e.getMessage());
        }
    }

    @Test
    void withoutAGpuAutoIsTheCpuEngineAndCudaIsAOneLineError() {
        DeviceEngines.Choice auto = DeviceEngines.choose(ComputeDevice.AUTO, "auto", 0, DEFAULTS, none());
        assertTrue(auto.engine() instanceof AutomaticEngine);
        assertFalse(auto.onGpu());
        assertNull(auto.announcement());
        assertEquals("libcuda.so.1 not found: no NVIDIA driver on this machine", auto.report().problem());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceEngines.choose(ComputeDevice.parse("cuda"), "auto", 0, DEFAULTS, none()));
        assertEquals("no usable GPU: libcuda.so.1 not found: no NVIDIA driver on this machine (specwatch doctor shows what was found)",
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void cpuOnlyEnginesStayOnTheCpuUnderAutoAndAreRefusedUnderCuda() {
        CudaLibraries gpu = new FailingCuda().libraries();
        DeviceEngines.Choice svd = DeviceEngines.choose(ComputeDevice.AUTO, "svd32", 0, DEFAULTS, gpu);
        assertEquals("svd32", svd.engine().name());
        assertNull(svd.report(), "no discovery for an engine without a GPU version");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceEngines.choose(ComputeDevice.parse("cuda"), "svd32", 0, DEFAULTS, gpu));
        assertEquals("the engine svd32 runs on the CPU only; on a GPU use auto, gram32 or gram64", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceEngines.choose(ComputeDevice.AUTO, "nonsense", 0, DEFAULTS, gpu));
    }

    @Test
    void onAGpuTheEngineNameChoosesThePrecisionAndTheCpuTwinIsTheFallback() {
        CudaLibraries gpu = new FailingCuda().libraries();
        Map<String, Integer> limits = Map.of("auto", CudaSettings.DEFAULT_FLOAT64_LIMIT, "gram32", 0, "gram64", Integer.MAX_VALUE);
        Map<String, String> fallbacks = Map.of("auto", "auto", "gram32", "gram32", "gram64", "gram64");
        for (String name : limits.keySet()) {
            DeviceEngines.Choice c = DeviceEngines.choose(ComputeDevice.AUTO, name, 0, DEFAULTS, gpu);
            assertTrue(c.onGpu(), name);
            CudaSpectrumEngine engine = (CudaSpectrumEngine) c.engine();
            assertEquals(limits.get(name), engine.settings().float64Limit(), name);
            assertEquals(fallbacks.get(name), engine.fallback().name(), name);
            assertEquals("spectra on the GPU: cuda:0 stand-in GPU, 80.0 GiB, compute capability 9.0; CUDA 13 libraries", c.announcement());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceEngines.choose(ComputeDevice.parse("cuda:1"), "auto", 0, DEFAULTS, gpu));
        assertEquals("there is no device cuda:1 (1 found)", e.getMessage());
        DeviceEngines.Choice cpu = DeviceEngines.choose(ComputeDevice.CPU, "gram64", 0, DEFAULTS, gpu);
        assertFalse(cpu.onGpu());
        assertEquals("gram64", cpu.engine().name());
        assertEquals(LapackSvdEngine.class, DeviceEngines.choose(ComputeDevice.CPU, "svd64", 0, DEFAULTS, gpu).engine().getClass());
    }
}
