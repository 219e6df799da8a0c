package io.specwatch.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code specwatch} command line: {@code analyze} files, {@code bench} the engines, {@code doctor} the GPU set-up. */
@Command(name = "specwatch", mixinStandardHelpOptions = true, versionProvider = Specwatch.Version.class,
        description = "Spectral diagnostics of neural-network weight matrices (ESD, power-law alpha, "
                + "Marchenko-Pastur spikes, ranks).",
        subcommands = {AnalyzeCommand.class, WatchCommand.class, ReportCommand.class, DemoCommand.class, BenchCommand.class, DoctorCommand.class,
            CommandLine.HelpCommand.class})
public final class Specwatch implements Runnable {

    /** Exit code for unreadable or malformed input and for bad command-line usage. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code when an analysis itself failed. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        warningsOnly();
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /**
     * ND4J announces its backend in several INFO lines: the command line logs warnings only, unless
     * the JVM or {@code SPECWATCH_LOG_LEVEL} asks for more. (bin/specwatch sets the property; a plain
     * {@code java -jar specwatch.jar}, whose relocated SLF4J reads a relocated property name, does not.)
     */
    private static void warningsOnly() {
        String key = "org.slf4j.simpleLogger.defaultLogLevel";
        if (System.getProperty(key) == null) {
            String level = System.getenv("SPECWATCH_LOG_LEVEL");
            System.setProperty(key, level == null || level.isBlank() ? "warn" : level.strip());
        }
    }

    /** Runs the command line with the given streams and returns the exit code (what tests call). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Specwatch());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("specwatch: " + e);
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version the build wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"specwatch " + io.specwatch.catalogue.BuildInfo.version()};
        }
    }
}
