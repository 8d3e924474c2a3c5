package dev.jvlm.cli;

import dev.jvlm.JvlmException;
import dev.jvlm.tensor.Parallel;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code jvlm} command: subcommands for running, inspecting and converting models. */
// The help and version options are inherited, so that `jvlm bench --help` works as `jvlm help bench` does.
@Command(name = "jvlm", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "jvlm 0.1.0",
        description = "Vision-language models on the JVM.",
        subcommands = {ForwardCommand.class, InspectCommand.class, InitCommand.class, BenchCommand.class, ScoreCommand.class,
                GradsCommand.class, MergeCommand.class, GenerateCommand.class, ChatCommand.class, FinetuneCommand.class, DemoCommand.class, PreprocessCommand.class, TokenizeCommand.class, DetokenizeCommand.class, TemplateCommand.class, SynthCommand.class, EvalCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    static boolean verbose;

    @Spec
    private CommandSpec spec;

    @Option(names = "--threads", scope = ScopeType.INHERIT, paramLabel = "N",
            description = "Threads for kernels (default: all cores).")
    void setThreads(int threads) {
        if (threads < 1) {
            // A usage error like any other bad option value, not a failure of the setter.
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--threads': must be at least 1, got " + threads);
        }
        Parallel.setThreads(threads);
    }

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    void setVerbose(boolean v) {
        verbose = v;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        verbose = false;
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            report(ex, cmd.getErr());
            return 1;
        });
        return cl;
    }

    /** One line naming what went wrong; the stack trace only with --verbose. */
    static void report(Throwable ex, PrintWriter err) {
        String message = ex instanceof JvlmException ? ex.getMessage()
                : ex instanceof OutOfMemoryError ? "out of memory (" + ex.getMessage() + "); give the JVM more with JVLM_JAVA_OPTS=-Xmx..."
                : "internal error: " + ex;
        err.println("jvlm: " + message.replaceAll("\\s*\\R\\s*", " "));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
    }
}
