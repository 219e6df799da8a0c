package io.specwatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.specwatch.history.HistoryReader;
import io.specwatch.history.HtmlReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code specwatch report}: one self-contained HTML file of one or more histories, their runs overlaid. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write one self-contained HTML file with the charts of JSON Lines histories; several files (or runs) are overlaid with a legend.")
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "HISTORY", description = "history files written by the monitor (.jsonl)")
    List<Path> histories;

    @Option(names = {"-o", "--output"}, required = true, description = "HTML file to write")
    Path output;

    @Option(names = "--max-bytes", defaultValue = "536870912", paramLabel = "N",
            description = "refuse history files larger than N bytes; default: ${DEFAULT-VALUE} (512 MiB)")
    long maxBytes;

    @Option(names = "--max-record-bytes", defaultValue = "4194304", paramLabel = "N",
            description = "skip (and count) records longer than N bytes; default: ${DEFAULT-VALUE} (4 MiB)")
    int maxRecordBytes;

    @Override
    public Integer call() {
        if (maxBytes < 1 || maxRecordBytes < 1) {
            spec.commandLine().getErr().println("specwatch: --max-bytes and --max-record-bytes must be positive");
            return Specwatch.EXIT_BAD_INPUT;
        }
        String title = "specwatch report: " + histories.stream().map(p -> String.valueOf(p.getFileName())).collect(Collectors.joining(", "));
        HtmlReport.Rendered report;
        try {
            report = HtmlReport.render(histories, new HistoryReader.Limits(maxBytes, maxRecordBytes), title);
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("specwatch: " + e.getFile() + ": no such file");
            return Specwatch.EXIT_BAD_INPUT;
        } catch (IOException e) {
            spec.commandLine().getErr().println("specwatch: " + e.getMessage());
            return Specwatch.EXIT_BAD_INPUT;
        }
        report.warnings().forEach(w -> spec.commandLine().getErr().println("specwatch: warning: " + w));
        if (report.records() == 0) {
            spec.commandLine().getErr().println("specwatch: " + String.join(", ", histories.stream().map(Path::toString).toList()) + ": no layer records");
            return Specwatch.EXIT_BAD_INPUT;
        }
        try {
            Files.writeString(output, report.html(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            spec.commandLine().getErr().println("specwatch: cannot write " + output + ": " + e.getMessage());
            return Specwatch.EXIT_FAILURE;
        }
        spec.commandLine().getOut().println("wrote " + output + " (" + report.records() + " records, " + report.runs() + " runs)");
        return 0;
    }
}
