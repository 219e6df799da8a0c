package io.specwatch.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.analysis.ConvLayout;
import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.analysis.MatrixReport;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.TensorValues;
import io.specwatch.analysis.WorkingMemory;
import io.specwatch.catalogue.ReportRecords;
import io.specwatch.engine.BlasThreads;
import io.specwatch.engine.DeviceEngines;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumEngines;
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

    @Option(names = "--jobs", defaultValue = "0", paramLabel = "N",
            description = "matrices analysed at once, each on one BLAS thread (0: one per core; 1: one at a time); default: ${DEFAULT-VALUE}")
    int jobs;

    @Option(names = "--threads", defaultValue = "0", description = "BLAS threads per matrix (0: 1 with several jobs, else OpenBLAS's default)")
    int threads;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConvLayout layout;
        try {
            layout = ConvLayout.valueOf(conv.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("specwatch analyze: --conv must be slices or flatten, got '" + conv + "'");
            return Specwatch.EXIT_BAD_INPUT;
        }
        if (threads < 0 || jobs < 0) {
            err.println("specwatch analyze: --threads and --jobs must be >= 0, got " + threads + " and " + jobs);
            return Specwatch.EXIT_BAD_INPUT;
        }
        DeviceEngines.Choice choice = device.choose("analyze", engine, seed, err);
        if (choice == null) {
            return Specwatch.EXIT_BAD_INPUT;
        }
        SpectrumEngine spectra = choice.engine();
        // matrices in parallel, one BLAS thread each, measured faster than BLAS threads on one matrix at a time
        // (docs/benchmarks.md); a GPU engine takes one matrix at a time
        int workers = choice.onGpu() ? 1 : jobs > 0 ? jobs : Runtime.getRuntime().availableProcessors();
        if (threads > 0) {
            BlasThreads.set(threads);
        } else if (workers > 1) {
            BlasThreads.set(1);
        }
        LayerAnalyzer.Options options = new LayerAnalyzer.Options(layout, traps, seed, SpectralPhase.Thresholds.DEFAULT);
        SpectrumEngine first = spectra;
        ThreadLocal<LayerAnalyzer> analyzers = ThreadLocal.withInitial(() -> new LayerAnalyzer(
                workers == 1 ? first : SpectrumEngines.create(engine, seed), options));
        long startup = warmUp(options);
        if (device.verbose) {
            err.printf(java.util.Locale.ROOT, "specwatch: start-up %.2f s (native libraries and a warm-up; not in any matrix's seconds), %d worker(s)%n",
                    startup / 1e9, workers);
        }
        ObjectMapper json = new ObjectMapper();
        ReportTable table = new ReportTable();
        ReadLimits limits = ReadLimits.DEFAULT.withMaxElements(maxElements);
        int[] exit = {0};
        Consumer<Result> sink = r -> {
            if (r.message() != null) {
                err.println(r.message());
                exit[0] = Math.max(exit[0], r.exit());
            }
            if (r.report() == null) {
                return;
            }
            if (format == Format.json) {
                try {
                    out.println(json.writeValueAsString(ReportRecords.matrix(r.report(), eigenvaluesOut)));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                out.flush();
            } else {
                table.add(r.report());
            }
        };
        long budget = Runtime.getRuntime().maxMemory() / 4 * 3;
        try (ParallelAnalysis<Result> parallel = new ParallelAnalysis<>(workers, budget, sink)) {
            for (Path path : files) {
                String where = "specwatch: " + Printable.of(path.toString()) + ": ";
                try (Checkpoint checkpoint = Checkpoint.open(path, limits)) {
                    for (TensorEntry entry : checkpoint.entries()) {
                        submit(parallel, checkpoint, entry, analyzers, where, err);
                    }
                    // results before the next file's errors, and the checkpoint stays open while it is read
                    parallel.finish();
                } catch (TensorFormatException | IllegalArgumentException e) {
                    parallel.finish();
                    err.println(where + e.getMessage());
                    exit[0] = Math.max(exit[0], Specwatch.EXIT_BAD_INPUT);
                } catch (java.io.IOException e) {
                    parallel.finish();
                    err.println(where + e.getMessage());
                    exit[0] = Math.max(exit[0], Specwatch.EXIT_BAD_INPUT);
                } catch (RuntimeException e) {
                    parallel.finish();
                    err.println(where + "analysis failed: " + e);
                    exit[0] = exit[0] == 0 ? Specwatch.EXIT_FAILURE : exit[0];
                }
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
        return exit[0];
    }

    /** One tensor's outcome: a report, or a line to print (and the exit status it calls for), or both absent (skipped silently). */
    private record Result(MatrixReport report, String message, int exit) {
        static Result of(MatrixReport report) {
            return new Result(report, null, 0);
        }

        static Result say(String message, int exit) {
            return new Result(null, message, exit);
        }
    }

    /** The start-up cost, paid once before the first matrix: native libraries, classes, a warm-up analysis. */
    private static long warmUp(LayerAnalyzer.Options options) {
        long t0 = System.nanoTime();
        new LayerAnalyzer(io.specwatch.engine.AutomaticEngine.withDefaults(options.seed()), options).warmUp();
        return System.nanoTime() - t0;
    }

    /** Reads one tensor on this thread (the checkpoint is not thread-safe) and submits its analysis. */
    private void submit(ParallelAnalysis<Result> parallel, Checkpoint file, TensorEntry entry, ThreadLocal<LayerAnalyzer> analyzers,
                        String where, PrintWriter err) throws TensorFormatException, InterruptedException {
        String name = Printable.of(entry.name());
        if (entry.type() == null) {
            parallel.submit(0, () -> Result.say("skipped " + name + " " + entry.shapeText() + ": dtype " + Printable.of(entry.typeName())
                    + " is not floating point", 0));
            return;
        }
        if (entry.elementCount() == 0) {
            parallel.submit(0, () -> Result.say("skipped " + name + " " + entry.shapeText() + ": empty", 0));
            return;
        }
        if (entry.dimensions() >= 2) {
            TensorValues values;
            try {
                values = TensorValues.read(file, entry);
            } catch (TensorTooLargeException e) {
                parallel.submit(0, () -> Result.say(where + e.getMessage(), Specwatch.EXIT_BAD_INPUT));
                return;
            }
            long bytes = 4L * values.values().length + WorkingMemory.bytes(new TensorInfo(entry.name(), entry.shape()));
            parallel.submit(bytes, () -> {
                try {
                    return Result.of(analyzers.get().analyze(entry.name(), entry.shape(), values, 0));
                } catch (OutOfMemoryError e) {
                    // the read fitted the heap but the analysis did not: say so and go on with the next tensor
                    return Result.say(where + name + " " + entry.shapeText() + ": ran out of memory analysing it"
                            + " (JAVA_OPTS=-Xmx… for a larger heap, --max-elements to skip such tensors)", Specwatch.EXIT_BAD_INPUT);
                }
            });
            return;
        }
        if (eigenvalues && entry.dimensions() == 1) {
            double[] values;
            try {
                values = file.readDoubles(entry);
            } catch (TensorTooLargeException e) {
                parallel.submit(0, () -> Result.say(where + e.getMessage(), Specwatch.EXIT_BAD_INPUT));
                return;
            }
            parallel.submit(8L * values.length, () -> {
                try {
                    return Result.of(analyzers.get().analyzeEigenvalues(entry.name(), values));
                } catch (IllegalArgumentException e) {
                    return Result.say(where + name + ": " + e.getMessage(), Specwatch.EXIT_BAD_INPUT);
                }
            });
            return;
        }
        parallel.submit(0, () -> Result.say("skipped " + name + " " + entry.shapeText() + ": fewer than 2 dimensions"
                + (entry.dimensions() == 1 ? " (use --eigenvalues to fit a 1-D eigenvalue sample)" : ""), 0));
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
