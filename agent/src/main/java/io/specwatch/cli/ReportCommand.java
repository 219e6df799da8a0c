package io.specwatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import io.specwatch.history.HistoryReader;
import io.specwatch.history.HtmlReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code specwatch report}: a self-contained HTML report of a history file. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write one self-contained HTML file with plots of a JSON Lines history.")
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HISTORY", description = "history file written by the monitor (.jsonl)")
    Path history;

    @Option(names = {"-o", "--output"}, required = true, description = "HTML file to write")
    Path output;

    @Override
    public Integer call() {
        List<JsonNode> records;
        try {
            records = HistoryReader.read(history);
        } catch (java.nio.file.NoSuchFileException e) {
            spec.commandLine().getErr().println("specwatch: " + history + ": no such file");
            return Specwatch.EXIT_BAD_INPUT;
        } catch (IOException e) {
            spec.commandLine().getErr().println("specwatch: " + e.getMessage());
            return Specwatch.EXIT_BAD_INPUT;
        }
        if (records.isEmpty()) {
            spec.commandLine().getErr().println("specwatch: " + history + ": no records");
            return Specwatch.EXIT_BAD_INPUT;
        }
        try {
            Files.writeString(output, HtmlReport.render(records, "specwatch report: " + history.getFileName()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            spec.commandLine().getErr().println("specwatch: cannot write " + output + ": " + e.getMessage());
            return Specwatch.EXIT_FAILURE;
        }
        spec.commandLine().getOut().println("wrote " + output + " (" + records.size() + " records)");
        return 0;
    }
}
