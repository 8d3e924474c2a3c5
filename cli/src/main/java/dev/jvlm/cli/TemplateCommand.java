package dev.jvlm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.text.ChatTemplate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jvlm template}: a conversation rendered with the model's chat template, as transformers renders it. */
@Command(name = "template", description = "Print a conversation rendered with the model's chat template "
        + "(exactly the prompt, no newline added).")
final class TemplateCommand implements Callable<Integer> {

    private static final ObjectReader STRICT_JSON =
            Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "Model directory, or a Hub id org/name in the local Hugging Face cache.")
    String model;

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
    public Integer call() throws IOException {
        List<Map<String, Object>> conversation = readMessages(messages);
        Path modelDir = ModelLocator.resolve(model);
        ChatTemplate chatTemplate = template == null ? ChatTemplate.load(modelDir)
                : ChatTemplate.of(readTemplate(template), ChatTemplate.specialTokens(modelDir));
        Map<String, Object> values = new LinkedHashMap<>();
        variables.forEach((name, value) -> values.put(name, parseValue(value)));
        PrintWriter out = spec.commandLine().getOut();
        out.print(chatTemplate.render(conversation, addGenerationPrompt, values));
        out.flush();
        return 0;
    }

    private static String readTemplate(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new JvlmException(file + ": no such file");
        }
    }

    /** JSON when the text is a complete JSON value, else the text itself. */
    static Object parseValue(String text) {
        try {
            JsonNode node = STRICT_JSON.readTree(text);
            if (node != null && !node.isMissingNode()) {
                return Json.MAPPER.treeToValue(node, Object.class);
            }
        } catch (JsonProcessingException e) {
            // not JSON: the value is plain text
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> readMessages(Path file) {
        JsonNode root = Json.read(file);
        if (!root.isArray()) {
            throw new JvlmException(file + ": expected a JSON array of messages");
        }
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isObject()) {
                throw new JvlmException(file + ": message " + i + " is not an object");
            }
        }
        return Json.MAPPER.convertValue(root, List.class);
    }
}
