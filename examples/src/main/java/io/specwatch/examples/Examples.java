package io.specwatch.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code specwatch-example}: the example training programs. */
@Command(name = "specwatch-example", mixinStandardHelpOptions = true,
        description = "DJL training programs with the spectral monitor attached.",
        subcommands = {MlpExample.class, TeacherStudentExample.class, GrokkingExample.class, CommandLine.HelpCommand.class})
public final class Examples implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Examples()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
