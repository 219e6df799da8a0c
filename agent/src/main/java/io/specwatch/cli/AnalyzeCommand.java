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
import io.specwatch.tensorfile.Checkpoint;
import io.specwatch.tensorfile.Printable;
import io.specwatch.tensorfile.ReadLimits;
import io.specwatch.tensorfile.TensorEntry;
import io.specwatch.tensorfile.TensorFormatException;
import io.specwatch.tensorfile.TensorTooLargeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code specwatch analyze}: spectral metrics of every weight matrix in checkpoint files and model directories. */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Analyse every weight tensor with 2 or more dimensions in checkpoints: .safetensors (single or sharded),",
            "torch.save archives (.pt, .pth, .bin, Lightning .ckpt), .npy, .npz, or a Hugging Face model or checkpoint directory.",
            "Exit status: 0 all inputs analysed, 2 unreadable, malformed, refused or too large input, 1 analysis failure."})
final class AnalyzeCommand implements Callable<Integer> {

    enum Format { table, json }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "checkpoint files (.safetensors, .pt, .pth, .bin, .ckpt, .npy, .npz) or Hugging Face model/checkpoint directories")
    List<Path> files;

    @Option(names = "--max-elements", paramLabel = "N", converter = ElementCount.class,
            description = "largest tensor read, in elements (e.g. 2e9); larger ones are skipped with a line saying so; default: ${DEFAULT-VALUE}")
    long maxElements = ReadLimits.DEFAULT.maxElements();

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
        ReadLimits limits = ReadLimits.DEFAULT.withMaxElements(maxElements);
        int exit = 0;
        for (Path path : files) {
            String where = "specwatch: " + Printable.of(path.toString()) + ": ";
            try (Checkpoint checkpoint = Checkpoint.open(path, limits)) {
                for (TensorEntry entry : checkpoint.entries()) {
                    MatrixReport report;
                    try {
                        report = analyze(checkpoint, entry, analyzer, err);
                    } catch (TensorTooLargeException e) {
                        err.println(where + e.getMessage());
                        exit = Math.max(exit, Specwatch.EXIT_BAD_INPUT);
                        continue;
                    } catch (OutOfMemoryError e) {
                        // the read fitted the heap but the analysis did not: say so and go on with the next tensor
                        err.println(where + Printable.of(entry.name()) + " " + entry.shapeText() + ": ran out of memory analysing it"
                                + " (JAVA_OPTS=-Xmx… for a larger heap, --max-elements to skip such tensors)");
                        exit = Math.max(exit, Specwatch.EXIT_BAD_INPUT);
                        continue;
                    }
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
                err.println(where + e.getMessage());
                exit = Math.max(exit, Specwatch.EXIT_BAD_INPUT);
            } catch (java.io.IOException e) {
                err.println(where + e.getMessage());
                exit = Math.max(exit, Specwatch.EXIT_BAD_INPUT);
            } catch (RuntimeException e) {
                err.println(where + "analysis failed: " + e);
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
    private MatrixReport analyze(Checkpoint file, TensorEntry entry, LayerAnalyzer analyzer, PrintWriter err)
            throws TensorFormatException {
        String name = Printable.of(entry.name());
        if (entry.type() == null) {
            err.println("skipped " + name + " " + entry.shapeText() + ": dtype " + Printable.of(entry.typeName()) + " is not floating point");
            return null;
        }
        if (entry.elementCount() == 0) {
            err.println("skipped " + name + " " + entry.shapeText() + ": empty");
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
                throw new TensorFormatException(name + ": " + e.getMessage());
            }
        }
        err.println("skipped " + name + " " + entry.shapeText() + ": fewer than 2 dimensions"
                + (entry.dimensions() == 1 ? " (use --eigenvalues to fit a 1-D eigenvalue sample)" : ""));
        return null;
    }

    /** A count of elements: an integer, or a number in scientific notation with an integral value (2e9). */
    static final class ElementCount implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                java.math.BigDecimal d = new java.math.BigDecimal(value.strip().replace("_", ""));
                long n = d.longValueExact();
                if (n < 1) {
                    throw new CommandLine.TypeConversionException("must be at least 1, got " + value);
                }
                return n;
            } catch (NumberFormatException | ArithmeticException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number of elements");
            }
        }
    }
}
