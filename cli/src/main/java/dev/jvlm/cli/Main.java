package dev.jvlm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jvlm} command: subcommands for running, inspecting and converting models. */
@Command(name = "jvlm", mixinStandardHelpOptions = true, version = "jvlm 0.1.0",
        description = "Vision-language models on the JVM.",
        subcommands = {TokenizeCommand.class, DetokenizeCommand.class, TemplateCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }
}
