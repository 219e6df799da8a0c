package io.specwatch.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What CUDA discovery found: the folders searched, the driver, the libraries, the devices, and
 * why a GPU cannot be used when it cannot. {@code specwatch doctor} prints {@link #lines()}.
 *
 * @param places        folders searched, in order
 * @param driver        libcuda.so.1
 * @param driverVersion the CUDA version the driver supports (e.g. 13000), 0 when unknown
 * @param toolkit       CUDA major version of the libraries chosen, 0 when none
 * @param libraries     the runtime, cuBLAS and cuSOLVER (found or not)
 * @param devices       the GPUs the driver sees
 * @param problem       why no GPU is usable, or null when one is
 */
public record CudaReport(List<LibrarySearch.Place> places, Probe driver, int driverVersion, int toolkit, List<Probe> libraries,
                         List<GpuDevice> devices, String problem) {

    /**
     * One library: what was looked for, where it was found, its version, or what went wrong.
     *
     * @param name    the file name looked for (e.g. {@code libcublas.so.13})
     * @param path    where it was found, or null
     * @param version the version it reports, or null when not loaded
     * @param error   why it is not usable, or null
     */
    public record Probe(String name, String path, String version, String error) {
    }

    /**
     * A GPU.
     *
     * @param index      CUDA device ordinal ({@code cuda:N})
     * @param name       the driver's name for it
     * @param totalBytes device memory
     * @param freeBytes  free device memory, -1 when not measured
     * @param capability compute capability, major·10 + minor (90 for Hopper)
     * @param supported  whether the chosen libraries run on it
     */
    public record GpuDevice(int index, String name, long totalBytes, long freeBytes, int capability, boolean supported) {

        /** One line: {@code cuda:0 NVIDIA H200, 139.8 GiB (139.2 GiB free), compute capability 9.0}. */
        public String describe() {
            String free = freeBytes >= 0 ? " (" + gib(freeBytes) + " free)" : "";
            return "cuda:" + index + " " + name + ", " + gib(totalBytes) + free + ", compute capability " + capability / 10 + "."
                    + capability % 10 + (supported ? "" : " (not supported by these libraries)");
        }
    }

    public CudaReport {
        places = List.copyOf(places);
        libraries = List.copyOf(libraries);
        devices = List.copyOf(devices);
    }

    /** True when a GPU can compute spectra. */
    public boolean usable() {
        return problem == null;
    }

    /** The device of that index, or null. */
    public GpuDevice device(int index) {
        for (GpuDevice d : devices) {
            if (d.index() == index) {
                return d;
            }
        }
        return null;
    }

    /** One line naming the device and libraries, for "using the GPU" messages. */
    public String summary(int index) {
        GpuDevice d = device(index);
        StringBuilder s = new StringBuilder(d != null ? d.describe() : "cuda:" + index);
        s.append("; CUDA ").append(toolkit).append(" libraries");
        List<String> versions = new ArrayList<>();
        for (Probe p : libraries) {
            if (p.version() != null) {
                versions.add(p.version());
            }
        }
        if (!versions.isEmpty()) {
            s.append(" (").append(String.join(", ", versions)).append(')');
        }
        return s.toString();
    }

    /** The whole report as text, one fact a line. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("searched " + places.size() + " folder" + (places.size() == 1 ? "" : "s") + " (SPECWATCH_CUDA_LIBS, LD_LIBRARY_PATH, "
                + "CUDA_HOME, Python environments' nvidia/*/lib, system folders; only those that exist):");
        for (LibrarySearch.Place p : places) {
            out.add("  " + p.directory() + "  [" + p.origin() + "]");
        }
        out.add("driver: " + describe(driver) + (driverVersion > 0 ? ", supports CUDA " + version(driverVersion) : ""));
        out.add("libraries" + (toolkit > 0 ? " (CUDA " + toolkit + ")" : "") + ":");
        for (Probe p : libraries) {
            out.add("  " + describe(p));
        }
        if (devices.isEmpty()) {
            out.add("devices: none");
        } else {
            out.add("devices:");
            for (GpuDevice d : devices) {
                out.add("  " + d.describe());
            }
        }
        out.add(usable() ? "usable: yes" : "usable: no: " + problem);
        return out;
    }

    private static String describe(Probe p) {
        StringBuilder s = new StringBuilder(p.name());
        if (p.path() != null) {
            s.append(" at ").append(p.path());
        }
        if (p.version() != null) {
            s.append(", ").append(p.version());
        }
        if (p.error() != null) {
            s.append(p.path() == null ? " " : ": ").append(p.error());
        }
        return s.toString();
    }

    /** 13000 → "13.0", 12040 → "12.4". */
    static String version(int cudaVersion) {
        return cudaVersion / 1000 + "." + (cudaVersion % 1000) / 10;
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** Bytes in MiB below 1 GiB, else in GiB. */
    static String size(long bytes) {
        return bytes < (1L << 30) ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20)) : gib(bytes);
    }
}
