package dev.jvlm.cli;

import dev.jvlm.api.TextStream;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.text.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "generate", description = "Continue a raw text prompt (no chat template), streaming the tokens.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Mixin
    SamplingOptions sampling;

    @Parameters(index = "0", paramLabel = "PROMPT", description = "The text to continue.")
    String prompt;

    @Override
    public Integer call() {
        Path dir = ModelLocator.resolve(model);
        Tokenizer tokenizer = Tokenizer.load(dir);
        LanguageModel lm = LanguageModel.load(dir);
        SamplingParams params = sampling.over(SamplingParams.fromGenerationConfig(lm.generationConfig()));
        int[] encoded = tokenizer.encode(prompt, true);
        long[] ids = java.util.Arrays.stream(encoded).asLongStream().toArray();
        PrintWriter out = spec.commandLine().getOut();
        TextStream stream = new TextStream(tokenizer, params.stopStrings());
        long start = System.nanoTime();
        long[] firstToken = {0};
        Generator.Result r = Generator.generate(lm, new long[][] {ids}, params, (seq, id) -> {
            if (firstToken[0] == 0) {
                firstToken[0] = System.nanoTime();
            }
            out.print(stream.push(id));
            out.flush();
        }, generated -> tokenizer.decode(java.util.Arrays.stream(generated).mapToInt(v -> (int) v).toArray(), true));
        out.println(stream.finish());
        out.flush();
        int n = r.tokens()[0].length;
        double total = (System.nanoTime() - start) / 1e9;
        double decode = n > 1 ? (n - 1) / ((System.nanoTime() - firstToken[0]) / 1e9) : 0;
        spec.commandLine().getErr().printf("[%d prompt tokens, %d generated (%s) in %.2f s, %.1f tok/s decode]%n",
                ids.length, n, r.finishReasons()[0].name().toLowerCase(java.util.Locale.ROOT), total, decode);
        return 0;
    }
}
