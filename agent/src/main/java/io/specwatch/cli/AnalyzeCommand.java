package io.specwatch.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.analysis.ConvLayout;
import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.analysis.MatrixReport;
import io.specwatch.engine.BlasThreads;
import io.specwatch.catalogue.ReportRecords;
import io.specwatch.engine.DeviceEngines;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.cuda.CudaSpectrumEngine;
import io.specwatch.metrics.SpectralPhase;
import io.specwatch.tensorfile.TensorEntry;
import io.specwatch.tensorfile.TensorFile;
import io.specwatch.tensorfile.TensorFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code specwatch analyze}: spectral metrics of every weight matrix in .npy and .safetensors files. */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Analyse every tensor with 2 or more dimensions in .npy and .safetensors files.",
            "Exit status: 0 all inputs analysed, 2 unreadable or malformed input, 1 analysis failure."})
final class AnalyzeCommand implements Callable<Integer> {

    enum Format { table, json }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = ".npy (float16/32/64, C or Fortran order) or .safetensors (F32, F64, F16, BF16) files")
    List<Path> files;

    @Option(names = "--format", defaultValue = "table", description = "table (aligned columns) or json (one object per line per matrix); default: ${DEFAULT-VALUE}")
    Format format;

    @Option(names = "--conv", defaultValue = "slices", description = "layout of tensors with more than 2 dimensions: slices (WeightWatcher: pooled per-position matrices) or flatten (out x in*kh*kw); default: ${DEFAULT-VALUE}")
    String conv;

    @Option(names = "--traps", description = "also count correlation traps (spikes that survive shuffling the entries; one more decomposition per matrix)")
    boolean traps;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the shuffle for --traps; default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--eigenvalues", description = "treat 1-D arrays as eigenvalue samples (power-law fit and norms only)")
    boolean eigenvalues;

    @Option(names = "--eigenvalues-out", description = "add the sorted eigenvalues to each JSON record")
    boolean eigenvaluesOut;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "NAME",
            description = "how the ESD is computed: auto, gram32, gram64, svd32, svd64, or an engine a plugin on the classpath provides; default: ${DEFAULT-VALUE}")
    String engine;

    @Option(names = "--threads", defaultValue = "0", description = "BLAS threads for the analysis (0: leave OpenBLAS's default)")
    int threads;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConvLayout layout;
        try {
            layout = ConvLayout.valueOf(conv.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("specwatch analyze: --conv must be slices or flatten, got '" + conv + "'");
            return Specwatch.EXIT_BAD_INPUT;
        }
        if (threads < 0) {
            err.println("specwatch analyze: --threads must be >= 0, got " + threads);
            return Specwatch.EXIT_BAD_INPUT;
        }
        DeviceEngines.Choice choice = device.choose("analyze", engine, seed, err);
        if (choice == null) {
            return Specwatch.EXIT_BAD_INPUT;
        }
        SpectrumEngine spectra = choice.engine();
        if (threads > 0) {
            BlasThreads.set(threads);
        }
        LayerAnalyzer analyzer = new LayerAnalyzer(spectra, new LayerAnalyzer.Options(layout, traps, seed, SpectralPhase.Thresholds.DEFAULT));
        ObjectMapper json = new ObjectMapper();
        ReportTable table = new ReportTable();
        int exit = 0;
        for (Path path : files) {
            try (TensorFile file = TensorFile.open(path)) {
                for (TensorEntry entry : file.entries()) {
                    MatrixReport report = analyze(file, entry, analyzer, err);
                    if (report == null) {
                        continue;
                    }
                    if (format == Format.json) {
                        out.println(json.writeValueAsString(ReportRecords.matrix(report, eigenvaluesOut)));
                        out.flush();
                    } else {
                        table.add(report);
                    }
                }
            } catch (TensorFormatException | IllegalArgumentException e) {
                err.println("specwatch: " + path + ": " + e.getMessage());
                exit = Math.max(exit, Specwatch.EXIT_BAD_INPUT);
            } catch (java.io.IOException e) {
                err.println("specwatch: " + path + ": " + e.getMessage());
                exit = Math.max(exit, Specwatch.EXIT_BAD_INPUT);
            } catch (RuntimeException e) {
                err.println("specwatch: " + path + ": analysis failed: " + e);
                exit = exit == 0 ? Specwatch.EXIT_FAILURE : exit;
            }
        }
        if (format == Format.table) {
            table.print(out);
        }
        if (spectra instanceof CudaSpectrumEngine gpu) {
            if (device.verbose) {
                err.println("specwatch: " + gpu.deviceDecompositions() + " matrices on " + gpu.name() + ", " + gpu.fallbacks()
                        + " on the CPU" + (gpu.fallbacks() > 0 ? " " + gpu.fallbackCauses() : ""));
            }
            gpu.close();
        }
        return exit;
    }

    /** The report of one tensor, or null (after saying why on stderr) when it is skipped. */
    private MatrixReport analyze(TensorFile file, TensorEntry entry, LayerAnalyzer analyzer, PrintWriter err)
            throws TensorFormatException {
        if (entry.type() == null) {
            err.println("skipped " + entry.name() + " " + entry.shapeText() + ": dtype " + entry.typeName() + " is not floating point");
            return null;
        }
        if (entry.dimensions() >= 2) {
            return analyzer.analyze(entry.name(), entry.shape(), file.readFloats(entry));
        }
        if (eigenvalues && entry.dimensions() == 1) {
            double[] values = file.readDoubles(entry);
            try {
                return analyzer.analyzeEigenvalues(entry.name(), values);
            } catch (IllegalArgumentException e) {
                throw new TensorFormatException(entry.name() + ": " + e.getMessage());
            }
        }
        err.println("skipped " + entry.name() + " " + entry.shapeText() + ": fewer than 2 dimensions"
                + (entry.dimensions() == 1 ? " (use --eigenvalues to fit a 1-D eigenvalue sample)" : ""));
        return null;
    }
}
