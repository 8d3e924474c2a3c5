package dev.jvlm.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jvlm.JvlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The one JSON mapper of jvlm, strict about duplicate keys, and file reading with clear errors. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private Json() {
    }

    /** Reads a JSON file; a missing or malformed file is a {@link JvlmException} naming it. */
    public static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new JvlmException(file + ": file not found");
        } catch (JsonProcessingException e) {
            throw new JvlmException(file + ": invalid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new JvlmException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Parses JSON text; {@code source} names where it came from in errors. */
    public static JsonNode parse(String text, String source) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new JvlmException(source + ": invalid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        }
    }
}
