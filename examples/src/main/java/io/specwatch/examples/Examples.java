package io.specwatch.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code specwatch-example}: the example training programs. */
@Command(name = "specwatch-example", mixinStandardHelpOptions = true,
        description = "DJL training programs with the spectral monitor attached.",
        subcommands = {MlpExample.class, TeacherStudentExample.class, GrokkingExample.class, SyntheticExample.class, CommandLine.HelpCommand.class})
public final class Examples implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, with settings that are refused (a bad launcher variable such as
     * {@code RANK=x}) reported as one line and exit code 2 instead of a stack trace.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Examples()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
