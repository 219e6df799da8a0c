package io.specwatch.engine;

import java.util.Set;

import io.specwatch.engine.cuda.CudaLibraries;
import io.specwatch.engine.cuda.CudaReport;
import io.specwatch.engine.cuda.CudaSettings;
import io.specwatch.engine.cuda.CudaSpectrumEngine;

/**
 * Puts an engine on a {@link ComputeDevice}: the engine names with a GPU version ({@code auto},
 * {@code gram32}, {@code gram64}) become a {@link CudaSpectrumEngine} with the CPU engine of the
 * same name as its fallback; every other name runs on the CPU.
 */
public final class DeviceEngines {

    /** Engine names the GPU computes: the Gram-matrix method, in float32, float64, or both by size. */
    public static final Set<String> GPU_ENGINES = Set.of("auto", "gram32", "gram64");

    private DeviceEngines() {
    }

    /**
     * The engine chosen, and what to tell the user.
     *
     * @param engine       the engine
     * @param announcement one line saying which GPU computes the spectra, or null when the CPU does
     * @param report       what CUDA discovery found, or null when it was not asked (device {@code cpu}, or a CPU-only engine)
     */
    public record Choice(SpectrumEngine engine, String announcement, CudaReport report) {

        /** True when spectra go to a GPU. */
        public boolean onGpu() {
            return engine instanceof CudaSpectrumEngine;
        }
    }

    /**
     * The engine for a device.
     *
     * @param device     where
     * @param engineName an engine name ({@link SpectrumEngines#available()})
     * @param seed       seed of the randomized engines
     * @param cuda       GPU settings (its device index is replaced by the device's)
     * @param libraries  the CUDA libraries ({@link CudaLibraries#system()})
     * @throws IllegalArgumentException with a one-line reason: an unknown engine; {@code cuda[:N]} with
     *                                  an engine that has no GPU version, with no usable GPU, or a device that does not exist
     */
    public static Choice choose(ComputeDevice device, String engineName, long seed, CudaSettings cuda, CudaLibraries libraries) {
        SpectrumEngine cpu = SpectrumEngines.create(engineName, seed);
        String name = engineName.toLowerCase(java.util.Locale.ROOT);
        boolean gpuVersion = GPU_ENGINES.contains(name);
        switch (device.kind()) {
            case CPU:
                return new Choice(cpu, null, null);
            case AUTO:
                if (!gpuVersion) {
                    return new Choice(cpu, null, null);
                }
                if (!libraries.usable() || libraries.report().device(device.index()) == null
                        || !libraries.report().device(device.index()).supported()) {
                    return new Choice(cpu, null, libraries.report());
                }
                break;
            case CUDA:
                if (!gpuVersion) {
                    throw new IllegalArgumentException("the engine " + engineName + " runs on the CPU only; on a GPU use auto, gram32 or gram64");
                }
                CudaReport report = libraries.report();
                if (!report.usable()) {
                    throw new IllegalArgumentException("no usable GPU: " + report.problem() + " (specwatch doctor shows what was found)");
                }
                CudaReport.GpuDevice d = report.device(device.index());
                if (d == null) {
                    throw new IllegalArgumentException("there is no device " + device + " (" + report.devices().size() + " found)");
                }
                if (!d.supported()) {
                    throw new IllegalArgumentException(device + " (" + d.name() + ") is not supported by the CUDA " + report.toolkit() + " libraries found");
                }
                break;
            default:
                throw new IllegalStateException(device.kind().toString());
        }
        int float64Limit = switch (name) {
            case "gram32" -> 0;
            case "gram64" -> Integer.MAX_VALUE;
            default -> cuda.float64Limit();
        };
        CudaSettings settings = new CudaSettings(device.index(), float64Limit, cuda.tf32(), cuda.memoryFraction(), cuda.memoryLimitBytes());
        CudaSpectrumEngine engine = new CudaSpectrumEngine(libraries, settings, cpu);
        return new Choice(engine, "spectra on the GPU: " + libraries.report().summary(device.index()), libraries.report());
    }
}
