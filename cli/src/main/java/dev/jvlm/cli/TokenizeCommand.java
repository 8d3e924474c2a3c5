package dev.jvlm.cli;

import dev.jvlm.io.Json;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.text.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jvlm tokenize}: token ids of texts, exactly as Hugging Face tokenizers encodes them. */
@Command(name = "tokenize", description = "Print the token ids of each text of a JSON array, as a JSON array of id arrays.")
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "Model directory, or a Hub id org/name in the local Hugging Face cache.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSON array of strings.")
    Path input;

    @Option(names = "--add-special-tokens", description = "Add the special tokens of the post-processor (e.g. BOS).")
    boolean addSpecialTokens;

    @Override
    public Integer call() throws Exception {
        List<String> texts = TextInputs.readStrings(input);
        Tokenizer tokenizer = Tokenizer.load(ModelLocator.resolve(model));
        List<int[]> ids = TextInputs.map(texts, text -> tokenizer.encode(text, addSpecialTokens));
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.MAPPER.writeValueAsString(ids));
        out.flush();
        return 0;
    }
}
