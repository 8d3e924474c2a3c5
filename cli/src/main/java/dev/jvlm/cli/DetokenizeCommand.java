package dev.jvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.text.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jvlm detokenize}: text of token id arrays, as transformers' {@code decode()} returns it. */
@Command(name = "detokenize", description = "Print the text of each id array of a JSON array, as a JSON array of strings.")
final class DetokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "Model directory, or a Hub id org/name in the local Hugging Face cache.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSON array of arrays of token ids.")
    Path input;

    @Option(names = "--skip-special-tokens", description = "Leave out special tokens.")
    boolean skipSpecialTokens;

    @Option(names = "--no-cleanup", description = "Print the raw tokenizer.json decoder output, without "
            + "clean_up_tokenization_spaces even where tokenizer_config.json asks for it.")
    boolean noCleanup;

    @Override
    public Integer call() throws Exception {
        List<int[]> sequences = readIdArrays(input);
        Tokenizer tokenizer = Tokenizer.load(ModelLocator.resolve(model));
        boolean cleanup = !noCleanup && tokenizer.cleansUpTokenizationSpaces();
        List<String> texts = TextInputs.map(sequences, ids -> tokenizer.decode(ids, skipSpecialTokens, cleanup));
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.MAPPER.writeValueAsString(texts));
        out.flush();
        return 0;
    }

    private static List<int[]> readIdArrays(Path file) {
        JsonNode root = Json.read(file);
        if (!root.isArray()) {
            throw new JvlmException(file + ": expected a JSON array of arrays of token ids");
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode row = root.get(i);
            if (!row.isArray()) {
                throw new JvlmException(file + ": element " + i + " is not an array of token ids");
            }
            int[] ids = new int[row.size()];
            for (int j = 0; j < ids.length; j++) {
                if (!row.get(j).canConvertToInt() || !row.get(j).isIntegralNumber()) {
                    throw new JvlmException(file + ": element " + i + "[" + j + "] is not a token id");
                }
                ids[j] = row.get(j).asInt();
            }
            out.add(ids);
        }
        return out;
    }
}
