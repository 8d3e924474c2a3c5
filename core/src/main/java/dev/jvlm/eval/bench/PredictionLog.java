package dev.jvlm.eval.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code predictions.jsonl}: one line per predicted item, appended and flushed as soon as the item is
 * done, so that an interrupted run loses at most the line being written. Opening it reads what an
 * earlier run left: complete lines are kept, and a last line cut off by the interruption is removed.
 */
final class PredictionLog implements Closeable {
    static final String FILE_NAME = "predictions.jsonl";

    /** What an earlier run predicted for one item. */
    record Previous(int line, String prompt, String prediction) {
    }

    private final Path file;
    private final Map<String, Previous> previous;
    private final Writer writer;

    private PredictionLog(Path file, Map<String, Previous> previous, Writer writer) {
        this.file = file;
        this.previous = previous;
        this.writer = writer;
    }

    /** Opens (or creates) the log in {@code dir}, reading the predictions already in it. */
    static PredictionLog open(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            Map<String, Previous> previous = Files.exists(file) ? read(file) : Map.of();
            Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return new PredictionLog(file, previous, writer);
        } catch (IOException e) {
            throw new JvlmException(file + ": cannot open (" + e.getMessage() + ")", e);
        }
    }

    /** The earlier run's predictions by item id. */
    Map<String, Previous> previous() {
        return previous;
    }

    void append(ObjectNode line) {
        try {
            writer.write(Json.MAPPER.writeValueAsString(line) + "\n");
            writer.flush();
        } catch (IOException e) {
            throw new JvlmException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new JvlmException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    private static Map<String, Previous> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n') + 1;
        if (end < text.length()) {
            // A run killed while writing leaves a line without its newline: drop it, it is predicted again.
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(text.substring(0, end).getBytes(StandardCharsets.UTF_8).length);
            }
            text = text.substring(0, end);
        }
        Map<String, Previous> previous = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            int number = i + 1;
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode line;
            try {
                line = Json.MAPPER.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                throw damaged(file, number, "malformed JSON");
            }
            if (!line.path("id").isTextual() || !line.path("prompt").isTextual() || !line.path("prediction").isTextual()) {
                throw damaged(file, number, "a line needs text fields 'id', 'prompt' and 'prediction'");
            }
            Previous old = previous.put(line.get("id").asText(),
                    new Previous(number, line.get("prompt").asText(), line.get("prediction").asText()));
            if (old != null) {
                throw damaged(file, number, "id '" + line.get("id").asText() + "' was already predicted on line " + old.line());
            }
        }
        return previous;
    }

    private static JvlmException damaged(Path file, int line, String problem) {
        return new JvlmException(file + ", line " + line + ": " + problem + "; this file is not as jvlm eval wrote it. "
                + "Remove the line to predict its item again, or give another --output");
    }
}
