package io.specwatch.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.specwatch.engine.cuda.CudaLibraries;
import io.specwatch.engine.cuda.CudaReport;
import io.specwatch.engine.cuda.LibrarySearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code specwatch doctor}: what CUDA discovery finds on this machine, and whether a GPU can compute spectra. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Show where specwatch looks for the NVIDIA driver and the CUDA libraries (runtime, cuBLAS, cuSOLVER),",
            "what it found, their versions, the GPUs with their memory and compute capability, and why a GPU is",
            "not usable when it is not. Set SPECWATCH_CUDA_LIBS to a folder list to add places.",
            "Exit status: 0 a GPU is usable, 1 none is."})
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CudaReport report = CudaLibraries.inspect(LibrarySearch.Environment.current(), true).report();
        out.println("specwatch " + io.specwatch.catalogue.BuildInfo.version() + ": CUDA discovery");
        report.lines().forEach(out::println);
        out.println(report.usable()
                ? "spectra: --device auto uses cuda:0; --device cuda:N picks another GPU"
                : "spectra: on the CPU (--device auto falls back to it; --device cuda exits 2)");
        out.flush();
        return report.usable() ? 0 : Specwatch.EXIT_FAILURE;
    }
}
