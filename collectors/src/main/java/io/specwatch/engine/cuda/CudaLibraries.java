package io.specwatch.engine.cuda;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.ptr.PointerByReference;

/**
 * The CUDA driver and libraries of this machine, found ({@link LibrarySearch}), loaded and bound
 * at run time, with a {@link CudaReport} of what was found. Nothing here needs a GPU to run: on a
 * machine without one the report says why, and no engine uses the bindings.
 *
 * <p>Order of the checks, each one's failure being the report's problem: the driver
 * ({@code libcuda.so.1}) loads; it starts and sees a device; the runtime, cuBLAS and cuSOLVER of one
 * CUDA major version not newer than the driver are found, load, and have every function the engine
 * calls; the runtime sees the device too.
 */
public final class CudaLibraries {

    private static final String DRIVER = "libcuda.so.1";
    private static final Map<LibrarySearch.Environment, CudaLibraries> SYSTEM = new ConcurrentHashMap<>();

    private final CudaReport report;
    final CudaApi.Runtime runtime;
    final CudaApi.Blas blas;
    final CudaApi.Solver solver;
    /** Null when the runtime predates the stream-ordered allocator. */
    final CudaApi.AsyncAllocation asyncAllocation;

    private CudaLibraries(CudaReport report, CudaApi.Runtime runtime, CudaApi.Blas blas, CudaApi.Solver solver,
                          CudaApi.AsyncAllocation asyncAllocation) {
        this.report = report;
        this.runtime = runtime;
        this.blas = blas;
        this.solver = solver;
        this.asyncAllocation = asyncAllocation;
    }

    /** Libraries bound by someone else: tests pass stand-ins that fail in chosen ways. */
    static CudaLibraries of(CudaReport report, CudaApi.Runtime runtime, CudaApi.Blas blas, CudaApi.Solver solver,
                            CudaApi.AsyncAllocation asyncAllocation) {
        return new CudaLibraries(report, runtime, blas, solver, asyncAllocation);
    }

    /** What was found. */
    public CudaReport report() {
        return report;
    }

    /** True when a GPU can compute spectra. */
    public boolean usable() {
        return report.usable();
    }

    /**
     * The libraries of this process's environment ({@link LibrarySearch.Environment#current()}),
     * inspected once per distinct environment: cheap when no driver is found (no library is loaded then).
     */
    public static CudaLibraries system() {
        return SYSTEM.computeIfAbsent(LibrarySearch.Environment.current(), env -> inspect(env, false));
    }

    /**
     * A fresh inspection.
     *
     * @param full also load the libraries when there is no driver (to report their versions) and
     *             measure each device's free memory (creates a CUDA context per device): what
     *             {@code specwatch doctor} shows
     */
    public static CudaLibraries inspect(LibrarySearch.Environment env, boolean full) {
        return new Inspection(env, full).run();
    }

    /** One inspection's state, filled in check by check. */
    private static final class Inspection {
        private final LibrarySearch.Environment env;
        private final boolean full;
        private final List<LibrarySearch.Place> places;
        private final List<Path> directories;
        private CudaReport.Probe driverProbe;
        private int driverVersion;
        private int toolkitMajor;
        private final List<CudaReport.Probe> libraries = new ArrayList<>();
        private final List<CudaReport.GpuDevice> devices = new ArrayList<>();
        private String problem;

        Inspection(LibrarySearch.Environment env, boolean full) {
            this.env = env;
            this.full = full;
            this.places = LibrarySearch.places(env);
            this.directories = LibrarySearch.directories(places);
        }

        CudaLibraries run() {
            CudaApi.Driver driver = loadDriver();
            if (driver != null) {
                startDriver(driver);
            }
            Optional<Toolkit> toolkit = chooseToolkit();
            if (toolkit.isEmpty()) {
                return finish(null, null, null, null);
            }
            Toolkit t = toolkit.get();
            toolkitMajor = t.major();
            Path runtimePath = LibrarySearch.find(directories, t.runtime()).orElseThrow();
            Path blasPath = LibrarySearch.find(directories, t.blas()).orElseThrow();
            Path solverPath = LibrarySearch.find(directories, t.solver()).orElseThrow();
            if (problem != null && !full) {
                // no driver or no device: loading a few hundred MB of libraries would tell nothing more
                libraries.add(new CudaReport.Probe(t.runtime(), runtimePath.toString(), null, null));
                libraries.add(new CudaReport.Probe(t.blas(), blasPath.toString(), null, null));
                libraries.add(new CudaReport.Probe(t.solver(), solverPath.toString(), null, null));
                return finish(null, null, null, null);
            }
            // cuSOLVER's and cuBLAS's own dependencies, from their folders first (pip's CUDA 12 packages
            // put each library in its own folder, and the loader would not look in the others)
            List<Path> dependencyDirs = new ArrayList<>(List.of(solverPath.getParent(), blasPath.getParent(), runtimePath.getParent()));
            dependencyDirs.addAll(directories);
            CudaApi.Runtime runtime = bind(runtimePath, CudaApi.Runtime.class);
            for (String dependency : t.dependencies()) {
                LibrarySearch.find(dependencyDirs, dependency).ifPresent(p -> preload(p));
            }
            CudaApi.Blas blas = runtime == null ? null : bind(blasPath, CudaApi.Blas.class);
            CudaApi.Solver solver = blas == null ? null : bind(solverPath, CudaApi.Solver.class);
            libraries.clear();
            libraries.add(new CudaReport.Probe(t.runtime(), runtimePath.toString(), runtime == null ? null : runtimeVersion(runtime), null));
            libraries.add(new CudaReport.Probe(t.blas(), blasPath.toString(), blas == null ? null : blasVersion(blas), null));
            libraries.add(new CudaReport.Probe(t.solver(), solverPath.toString(), solver == null ? null : solverVersion(solver), null));
            if (loadError != null) {
                replaceProbe(loadError);
                problemIfNone(loadError.path() + ": " + loadError.error());
            }
            if (solver == null) {
                return finish(null, null, null, null);
            }
            CudaApi.AsyncAllocation async = bindOptional(runtimePath, CudaApi.AsyncAllocation.class);
            if (problem == null) {
                checkRuntime(runtime);
            }
            if (full && problem == null) {
                measureFreeMemory(runtime);
            }
            return finish(runtime, blas, solver, async);
        }

        private CudaLibraries finish(CudaApi.Runtime runtime, CudaApi.Blas blas, CudaApi.Solver solver, CudaApi.AsyncAllocation async) {
            CudaReport report = new CudaReport(places, driverProbe, driverVersion, toolkitMajor, libraries, devices, problem);
            boolean ok = report.usable();
            return new CudaLibraries(report, ok ? runtime : null, ok ? blas : null, ok ? solver : null, ok ? async : null);
        }

        private CudaApi.Driver loadDriver() {
            Optional<Path> found = LibrarySearch.find(directories, DRIVER);
            // the system loader may know folders we do not; outside the doctor, ask it only when the
            // kernel driver is loaded, so that machines without a GPU do not pay for loading JNA (~0.1 s)
            boolean askLoader = env.systemPlaces() && (full || Files.isDirectory(Path.of("/proc/driver/nvidia")));
            String target = found.map(Path::toString).orElse(askLoader ? DRIVER : null);
            if (target == null) {
                driverProbe = new CudaReport.Probe(DRIVER, null, null, "not found: no NVIDIA driver on this machine");
                problem = DRIVER + " not found: no NVIDIA driver on this machine";
                return null;
            }
            try {
                CudaApi.Driver driver = load(target, CudaApi.Driver.class);
                String where = found.map(Path::toString).orElse("(system loader)");
                driverProbe = new CudaReport.Probe(DRIVER, where, null, null);
                return driver;
            } catch (UnsatisfiedLinkError e) {
                String message = loaderMessage(e, target);
                if (found.isEmpty() && message.contains("cannot open shared object file")) {
                    driverProbe = new CudaReport.Probe(DRIVER, null, null, "not found: no NVIDIA driver on this machine");
                    problem = DRIVER + " not found: no NVIDIA driver on this machine";
                } else {
                    driverProbe = new CudaReport.Probe(DRIVER, found.map(Path::toString).orElse(null), null, "cannot load: " + message);
                    problem = "cannot load " + target + ": " + message;
                }
                return null;
            }
        }

        private void startDriver(CudaApi.Driver driver) {
            int[] value = new int[1];
            if (driver.cuDriverGetVersion(value) == 0) {
                driverVersion = value[0];
            }
            int status = driver.cuInit(0);
            if (status != 0) {
                problem = status == CudaApi.ERROR_NO_DEVICE
                        ? "the NVIDIA driver sees no GPU (CUDA_ERROR_NO_DEVICE)"
                        : "the NVIDIA driver does not start: " + driverError(driver, status);
                return;
            }
            if (driver.cuDeviceGetCount(value) != 0 || value[0] == 0) {
                problem = "the NVIDIA driver sees no GPU";
                return;
            }
            int count = value[0];
            for (int i = 0; i < count; i++) {
                int[] handle = new int[1];
                if (driver.cuDeviceGet(handle, i) != 0) {
                    continue;
                }
                byte[] name = new byte[256];
                driver.cuDeviceGetName(name, name.length, handle[0]);
                long[] bytes = new long[1];
                driver.cuDeviceTotalMem_v2(bytes, handle[0]);
                int[] major = new int[1];
                int[] minor = new int[1];
                driver.cuDeviceGetAttribute(major, CudaApi.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle[0]);
                driver.cuDeviceGetAttribute(minor, CudaApi.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle[0]);
                devices.add(new CudaReport.GpuDevice(i, cString(name), bytes[0], -1, major[0] * 10 + minor[0], true));
            }
        }

        /** The newest toolkit with a runtime, cuBLAS and cuSOLVER, not newer than the driver. */
        private Optional<Toolkit> chooseToolkit() {
            int driverMajor = driverVersion / 1000;
            Toolkit mostComplete = null;
            int mostFound = -1;
            for (Toolkit t : Toolkit.KNOWN) {
                int found = 0;
                for (String name : List.of(t.runtime(), t.blas(), t.solver())) {
                    found += LibrarySearch.find(directories, name).isPresent() ? 1 : 0;
                }
                boolean tooNew = driverMajor > 0 && t.major() > driverMajor;
                if (found == 3 && !tooNew) {
                    markSupport(t);
                    return Optional.of(t);
                }
                if (found > mostFound) {
                    mostFound = found;
                    mostComplete = t;
                }
            }
            // nothing complete: report, per library, what was looked for
            for (int i = 0; i < 3; i++) {
                List<String> names = new ArrayList<>();
                String foundAt = null;
                for (Toolkit t : Toolkit.KNOWN) {
                    String name = List.of(t.runtime(), t.blas(), t.solver()).get(i);
                    names.add(name);
                    Optional<Path> p = LibrarySearch.find(directories, name);
                    if (p.isPresent() && foundAt == null) {
                        foundAt = p.get() + " (CUDA " + t.major() + ")";
                    }
                }
                String label = String.join(" / ", names.stream().distinct().toList());
                libraries.add(foundAt != null ? new CudaReport.Probe(label, foundAt, null, null)
                        : new CudaReport.Probe(label, null, null, "not found"));
            }
            String tooNewNote = driverMajor > 0 && mostComplete != null && mostFound == 3
                    ? " (the CUDA " + mostComplete.major() + " libraries found need a newer driver than this one, which supports CUDA "
                    + CudaReport.version(driverVersion) + ")"
                    : "";
            problemIfNone("no complete set of CUDA libraries (runtime, cuBLAS, cuSOLVER of CUDA 13, 12 or 11) in the "
                    + places.size() + " folders searched" + tooNewNote + "; set " + LibrarySearch.LIBS_VARIABLE + " to their folder");
            return Optional.empty();
        }

        private void markSupport(Toolkit t) {
            List<CudaReport.GpuDevice> marked = new ArrayList<>();
            boolean any = false;
            for (CudaReport.GpuDevice d : devices) {
                boolean ok = d.capability() >= t.minimumCapability();
                any |= ok;
                marked.add(new CudaReport.GpuDevice(d.index(), d.name(), d.totalBytes(), d.freeBytes(), d.capability(), ok));
            }
            devices.clear();
            devices.addAll(marked);
            if (!devices.isEmpty() && !any) {
                problemIfNone("no GPU here is supported by the CUDA " + t.major() + " libraries (they need compute capability "
                        + t.minimumCapability() / 10 + "." + t.minimumCapability() % 10 + " or newer)");
            }
        }

        private CudaReport.Probe loadError;

        private <T extends Library> T bind(Path path, Class<T> api) {
            try {
                return load(path.toString(), api);
            } catch (UnsatisfiedLinkError e) {
                if (loadError == null) {
                    loadError = new CudaReport.Probe(soname(path), path.toString(), null, "cannot load: " + loaderMessage(e, path.toString()));
                }
                return null;
            }
        }

        private <T extends Library> T bindOptional(Path path, Class<T> api) {
            try {
                return load(path.toString(), api);
            } catch (UnsatisfiedLinkError e) {
                return null;
            }
        }

        private void replaceProbe(CudaReport.Probe error) {
            for (int i = 0; i < libraries.size(); i++) {
                if (libraries.get(i).name().equals(error.name())) {
                    libraries.set(i, error);
                }
            }
        }

        private void checkRuntime(CudaApi.Runtime runtime) {
            int[] count = new int[1];
            int status = runtime.cudaGetDeviceCount(count);
            if (status == CudaApi.ERROR_INSUFFICIENT_DRIVER) {
                problemIfNone("the CUDA " + toolkitMajor + " runtime needs a newer NVIDIA driver"
                        + (driverVersion > 0 ? " than this one (it supports CUDA " + CudaReport.version(driverVersion) + ")" : ""));
            } else if (status != 0) {
                problemIfNone("the CUDA runtime sees no GPU: " + runtime.cudaGetErrorName(status) + " (" + status + ")");
            } else if (count[0] == 0) {
                problemIfNone("the CUDA runtime sees no GPU");
            }
        }

        private void measureFreeMemory(CudaApi.Runtime runtime) {
            List<CudaReport.GpuDevice> measured = new ArrayList<>();
            for (CudaReport.GpuDevice d : devices) {
                long[] free = {-1};
                long[] total = new long[1];
                if (runtime.cudaSetDevice(d.index()) != 0 || runtime.cudaMemGetInfo(free, total) != 0) {
                    free[0] = -1;
                }
                measured.add(new CudaReport.GpuDevice(d.index(), d.name(), d.totalBytes(), free[0], d.capability(), d.supported()));
            }
            devices.clear();
            devices.addAll(measured);
        }

        private void problemIfNone(String p) {
            if (problem == null) {
                problem = p;
            }
        }
    }

    /** Loads a library and checks that it has every function of {@code api} (JNA would only fail at the first call). */
    private static <T extends Library> T load(String path, Class<T> api) {
        NativeLibrary library = NativeLibrary.getInstance(path);
        for (Method m : api.getMethods()) {
            if (m.getDeclaringClass() == api) {
                try {
                    library.getFunction(m.getName());
                } catch (UnsatisfiedLinkError e) {
                    throw new UnsatisfiedLinkError("lacks the function " + m.getName() + " (not a CUDA 11-13 library?)");
                }
            }
        }
        return Native.load(path, api);
    }

    /** libcublas.so.12.4.5.8 → libcublas.so.12 (the name the report lists). */
    private static String soname(Path path) {
        String name = path.getFileName().toString();
        for (Toolkit t : Toolkit.KNOWN) {
            for (String s : List.of(t.runtime(), t.blas(), t.solver())) {
                if (name.equals(s) || name.startsWith(s + ".")) {
                    return s;
                }
            }
        }
        return name;
    }

    private static void preload(Path path) {
        try {
            NativeLibrary.getInstance(path.toString());
        } catch (UnsatisfiedLinkError e) {
            // the library that needs it will report the failure
        }
    }

    private static String runtimeVersion(CudaApi.Runtime runtime) {
        int[] v = new int[1];
        return runtime.cudaRuntimeGetVersion(v) == 0 ? "CUDA runtime " + CudaReport.version(v[0]) : null;
    }

    private static String blasVersion(CudaApi.Blas blas) {
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] patch = new int[1];
        boolean ok = blas.cublasGetProperty(CudaApi.MAJOR_VERSION, major) == 0 && blas.cublasGetProperty(CudaApi.MINOR_VERSION, minor) == 0
                && blas.cublasGetProperty(CudaApi.PATCH_LEVEL, patch) == 0;
        return ok ? "cuBLAS " + major[0] + "." + minor[0] + "." + patch[0] : null;
    }

    private static String solverVersion(CudaApi.Solver solver) {
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] patch = new int[1];
        boolean ok = solver.cusolverGetProperty(CudaApi.MAJOR_VERSION, major) == 0 && solver.cusolverGetProperty(CudaApi.MINOR_VERSION, minor) == 0
                && solver.cusolverGetProperty(CudaApi.PATCH_LEVEL, patch) == 0;
        return ok ? "cuSOLVER " + major[0] + "." + minor[0] + "." + patch[0] : null;
    }

    private static String driverError(CudaApi.Driver driver, int status) {
        PointerByReference name = new PointerByReference();
        if (driver.cuGetErrorName(status, name) == 0 && name.getValue() != null) {
            return name.getValue().getString(0, StandardCharsets.US_ASCII.name()) + " (" + status + ")";
        }
        return "error " + status;
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * The dynamic loader's reason from JNA's message ("Unable to load library 'x':" then the
     * loader's lines, each "x: reason"): the reason alone.
     */
    static String loaderMessage(UnsatisfiedLinkError e, String target) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String[] lines = m.split("\n");
        String line = lines[0].startsWith("Unable to load library") && lines.length > 1 ? lines[1] : lines[0];
        line = line.trim();
        if (line.startsWith(target + ": ")) {
            line = line.substring(target.length() + 2);
        }
        return line;
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }
}
