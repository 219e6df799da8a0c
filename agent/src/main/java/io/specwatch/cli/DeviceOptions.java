package io.specwatch.cli;

import java.io.PrintWriter;
import java.util.Locale;

import io.specwatch.engine.ComputeDevice;
import io.specwatch.engine.DeviceEngines;
import io.specwatch.engine.cuda.CudaLibraries;
import io.specwatch.engine.cuda.CudaSettings;
import picocli.CommandLine.Option;

/** {@code --device}, {@code --device-memory} and {@code --verbose}: where a command computes its spectra. */
final class DeviceOptions {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:N]",
            description = "where spectra are computed: auto (a GPU when one is usable, else the CPU), cpu, or cuda[:N] (GPU N; exit 2 when it is not usable); default: ${DEFAULT-VALUE}")
    String device;

    @Option(names = "--device-memory", paramLabel = "SIZE",
            description = "GPU memory one matrix may use: a percentage of the free memory (default 50%%) or a size (8g, 512m); larger matrices go to the CPU")
    String deviceMemory;

    @Option(names = "--verbose", description = "say which device and engine compute the spectra, and what CUDA discovery found")
    boolean verbose;

    /**
     * The engine for {@code engineName} on the chosen device, or null after printing one line on
     * {@code err} (bad option, or {@code cuda} not usable): the command then exits 2.
     */
    DeviceEngines.Choice choose(String command, String engineName, long seed, PrintWriter err) {
        ComputeDevice where;
        CudaSettings cuda;
        try {
            where = ComputeDevice.parse(device);
            cuda = memory(CudaSettings.defaults(where.index()));
        } catch (IllegalArgumentException e) {
            err.println("specwatch " + command + ": --device" + (e.getMessage().startsWith("device") ? "" : "-memory") + ": " + e.getMessage());
            return null;
        }
        DeviceEngines.Choice choice;
        try {
            choice = DeviceEngines.choose(where, engineName, seed, cuda, CudaLibraries.system());
        } catch (IllegalArgumentException e) {
            boolean unknownEngine = e.getMessage().startsWith("unknown engine");
            err.println("specwatch " + command + ": " + (unknownEngine ? "--engine: " : "--device " + device + ": ") + e.getMessage());
            if (verbose && !unknownEngine) {
                err.println("CUDA discovery:");
                CudaLibraries.system().report().lines().forEach(line -> err.println("  " + line));
            }
            return null;
        }
        if (verbose && choice.report() != null) {
            err.println("CUDA discovery:");
            choice.report().lines().forEach(line -> err.println("  " + line));
        }
        if (choice.onGpu()) {
            err.println("specwatch: " + choice.announcement());
        } else if (verbose) {
            err.println("specwatch: spectra on the CPU (engine " + choice.engine().name() + ")");
        }
        err.flush();
        return choice;
    }

    /** Applies {@code --device-memory}: "40%" or "8g". */
    private CudaSettings memory(CudaSettings base) {
        if (deviceMemory == null) {
            return base;
        }
        String t = deviceMemory.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("%")) {
                double percent = Double.parseDouble(t.substring(0, t.length() - 1));
                return base.withMemory(percent / 100, 0);
            }
            long unit = 1;
            char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            switch (last) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> unit = 1;
            }
            String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
            long bytes = Math.multiplyExact(Long.parseLong(digits), unit);
            if (bytes <= 0) {
                throw new NumberFormatException();
            }
            return base.withMemory(1.0, bytes);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("expected a percentage of free memory (40%) or a size (8g, 512m), got '" + deviceMemory + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected a percentage in (0, 100], got '" + deviceMemory + "'");
        }
    }
}
