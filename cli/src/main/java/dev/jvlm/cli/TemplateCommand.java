package dev.jvlm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.jvlm.cli.TokenizeCommand.TextOptions;
import dev.jvlm.cli.TokenizeCommand.TextOptions.CliException;
import dev.jvlm.text.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jvlm template}: a conversation rendered with the model's chat template, as transformers renders it. */
@Command(name = "template", description = "Print a conversation rendered with the model's chat template "
        + "(exactly the prompt, no newline added).")
final class TemplateCommand implements Callable<Integer> {

    private static final ObjectReader STRICT_JSON =
            TextOptions.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Mixin
    TextOptions options;

    @Option(names = "--messages", required = true, paramLabel = "FILE",
            description = "JSON array of messages {\"role\": ..., \"content\": text or [parts]}.")
    Path messages;

    @Option(names = "--add-generation-prompt", description = "End with the start of the assistant's turn.")
    boolean addGenerationPrompt;

    @Option(names = "--template", paramLabel = "FILE", description = "Jinja template to use instead of the model's.")
    Path template;

    @Option(names = "--var", paramLabel = "NAME=VALUE",
            description = "Template variable; VALUE is read as JSON when it is valid JSON (false, 3, \"x\", [...]), else as text.")
    Map<String, String> variables = new LinkedHashMap<>();

    @Override
    public Integer call() {
        return options.run(out -> {
            List<Map<String, Object>> conversation = readMessages(messages);
            Path modelDir = options.modelDir();
            ChatTemplate chatTemplate = template == null ? ChatTemplate.load(modelDir)
                    : ChatTemplate.of(readTemplate(template), ChatTemplate.specialTokens(modelDir));
            Map<String, Object> values = new LinkedHashMap<>();
            variables.forEach((name, value) -> values.put(name, parseValue(value)));
            out.print(chatTemplate.render(conversation, addGenerationPrompt, values));
        });
    }

    private static String readTemplate(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such file");
        }
    }

    /** JSON when the text is a complete JSON value, else the text itself. */
    static Object parseValue(String text) {
        try {
            JsonNode node = STRICT_JSON.readTree(text);
            if (node != null && !node.isMissingNode()) {
                return TextOptions.JSON.treeToValue(node, Object.class);
            }
        } catch (JsonProcessingException e) {
            // not JSON: the value is plain text
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> readMessages(Path file) throws IOException {
        JsonNode root = TextOptions.readJson(file);
        if (root == null || !root.isArray()) {
            throw new CliException(file + ": expected a JSON array of messages");
        }
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isObject()) {
                throw new CliException(file + ": message " + i + " is not an object");
            }
        }
        return TextOptions.JSON.convertValue(root, List.class);
    }
}
