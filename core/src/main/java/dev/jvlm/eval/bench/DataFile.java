package dev.jvlm.eval.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.data.ParquetRows;
import dev.jvlm.io.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a benchmark file into records, by its extension: VLMEvalKit TSV ({@code .tsv}) or JSON
 * lines ({@code .jsonl}). A record that cannot be read (malformed JSON, a TSV row with the wrong
 * number of cells) becomes a {@link Malformed} entry in its place, which the run counts as skipped;
 * a file that cannot be read at all is an error.
 */
final class DataFile {

    /** One record of a benchmark file, in file order. */
    sealed interface Entry permits Row, Malformed {
        int number();

        String where();
    }

    /** A record that could not be read; {@code reason} says why. */
    record Malformed(int number, String where, String reason) implements Entry {
    }

    /** VLMEvalKit stores another row's index in place of a repeated image; longer cells are image data. */
    private static final int MAX_IMAGE_REFERENCE_LENGTH = 64;

    private static final ObjectReader JSON_LINE = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private DataFile() {
    }

    /** Every record of the file, in order. */
    static List<Entry> read(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(file)) {
            throw new JvlmException(file + " is a directory; --data takes a .tsv or .jsonl benchmark file");
        }
        if (name.endsWith(".tsv")) {
            return tsv(file, readText(file));
        }
        if (name.endsWith(".jsonl")) {
            return jsonl(file, readText(file));
        }
        if (name.endsWith(".parquet")) {
            return parquet(file);
        }
        throw new JvlmException(file + ": unknown benchmark file type; expected .tsv (VLMEvalKit), .jsonl or .parquet");
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new JvlmException(file + ": file not found");
        } catch (CharacterCodingException e) {
            throw new JvlmException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new JvlmException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    // ---- JSONL ----

    private static List<Entry> jsonl(Path file, String text) {
        Path dir = parent(file);
        List<String> lines = text.lines().toList();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                entries.add(jsonlEntry(entries.size() + 1, "line " + (i + 1), lines.get(i), dir));
            }
        }
        return entries;
    }

    // ---- parquet (Hugging Face layout: image columns are structs of bytes and path) ----

    private static List<Entry> parquet(Path file) {
        Path dir = parent(file);
        List<Entry> entries = new ArrayList<>();
        int row = 0;
        for (Map<String, Object> record : ParquetRows.read(file)) {
            row++;
            // Through JSON text, so that byte columns become base64 strings as in exported JSONL.
            String json;
            try {
                json = Json.MAPPER.writeValueAsString(record);
            } catch (JsonProcessingException e) {
                throw new JvlmException(file + ": row " + row + " cannot be read (" + e.getOriginalMessage() + ")", e);
            }
            entries.add(jsonlEntry(entries.size() + 1, "row " + row, json, dir));
        }
        return entries;
    }

    private static Entry jsonlEntry(int number, String where, String line, Path dir) {
        JsonNode node;
        try {
            node = JSON_LINE.readTree(line);
        } catch (JsonProcessingException e) {
            return new Malformed(number, where, "malformed JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(node instanceof ObjectNode fields)) {
            return new Malformed(number, where, "a line must be a JSON object");
        }
        try {
            Conversations.addQuestionAndAnswer(fields);
            return new Row(number, where, fields, jsonImages(fields, dir));
        } catch (SkipException e) {
            return new Malformed(number, where, e.reason());
        }
    }

    /**
     * Images of a JSON record: {@code images} (a list), {@code image}, and MMMU's {@code image_1} ...
     * Each is a path relative to the file, a {@code data:} URL, or an object with base64
     * {@code bytes} or a {@code path}, as Hugging Face exports image features.
     */
    private static List<ImageRef> jsonImages(ObjectNode fields, Path dir) {
        List<ImageRef> images = new ArrayList<>();
        JsonNode list = fields.get("images");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new SkipException("field 'images' must be a list");
            }
            for (int i = 0; i < list.size(); i++) {
                images.add(jsonImage("images[" + i + "]", list.get(i), dir));
            }
        }
        for (String field : imageFields(fields)) {
            images.add(jsonImage(field, fields.get(field), dir));
        }
        return images;
    }

    private static ImageRef jsonImage(String field, JsonNode value, Path dir) {
        if (value.isTextual()) {
            return imageText(field, value.asText(), dir);
        }
        if (value.isObject()) {
            JsonNode bytes = value.get("bytes");
            if (bytes != null && bytes.isTextual()) {
                return new ImageRef.Base64Text(field, bytes.asText());
            }
            JsonNode path = value.get("path");
            if (path != null && path.isTextual()) {
                return imageText(field, path.asText(), dir);
            }
        }
        throw new SkipException("image field '" + field + "' is neither a path, a data URL nor an object with 'bytes' or 'path'");
    }

    private static ImageRef imageText(String field, String text, Path dir) {
        if (text.startsWith("data:")) {
            int comma = text.indexOf(',');
            if (comma < 0 || !text.substring(0, comma).endsWith(";base64")) {
                throw new SkipException("image field '" + field + "' is a data URL without base64 data");
            }
            return new ImageRef.Base64Text(field, text.substring(comma + 1));
        }
        if (text.startsWith("http://") || text.startsWith("https://")) {
            throw new SkipException("image field '" + field + "' is a web address; jvlm reads images from files only");
        }
        return new ImageRef.File(field, dir.resolve(text));
    }

    /** {@code image} and {@code image_<n>} fields in order of n, as MMMU names its image columns. */
    private static List<String> imageFields(ObjectNode fields) {
        List<String> names = new ArrayList<>();
        if (present(fields.get("image"))) {
            names.add("image");
        }
        List<Integer> numbered = new ArrayList<>();
        fields.fieldNames().forEachRemaining(name -> {
            if (name.matches("image_[1-9][0-9]?") && present(fields.get(name))) {
                numbered.add(Integer.parseInt(name.substring("image_".length())));
            }
        });
        numbered.stream().sorted().forEach(n -> names.add("image_" + n));
        return names;
    }

    private static boolean present(JsonNode value) {
        return value != null && !value.isNull() && !(value.isTextual() && value.asText().isEmpty());
    }

    // ---- TSV ----

    private static List<Entry> tsv(Path file, String text) {
        List<TsvRecord> records;
        try {
            records = TsvRecord.parse(text);
        } catch (IllegalArgumentException e) {
            throw new JvlmException(file + ": " + e.getMessage());
        }
        if (records.isEmpty()) {
            throw new JvlmException(file + ": empty TSV file; expected a header line (index, image, question, ...)");
        }
        List<String> header = records.getFirst().cells();
        Map<String, String> imageByIndex = new HashMap<>();
        int imageColumn = header.indexOf("image");
        int indexColumn = header.indexOf("index");
        if (imageColumn >= 0 && indexColumn >= 0) {
            for (TsvRecord record : records.subList(1, records.size())) {
                if (record.cells().size() == header.size()) {
                    imageByIndex.put(record.cells().get(indexColumn), record.cells().get(imageColumn));
                }
            }
        }
        Path dir = parent(file);
        List<Entry> entries = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            TsvRecord record = records.get(r);
            String where = "row " + r + " (line " + record.line() + ")";
            if (record.cells().size() != header.size()) {
                entries.add(new Malformed(r, where, "a row has " + record.cells().size() + " cells where the header has "
                        + header.size()));
                continue;
            }
            ObjectNode fields = Json.MAPPER.createObjectNode();
            for (int c = 0; c < header.size(); c++) {
                fields.put(header.get(c), record.cells().get(c));
            }
            try {
                entries.add(new Row(r, where, fields, tsvImages(fields, imageByIndex, dir)));
            } catch (SkipException e) {
                entries.add(new Malformed(r, where, e.reason()));
            }
        }
        return entries;
    }

    /**
     * The {@code image} cell: base64 data, a Python list of base64 images, or (when short) the index
     * of the row whose image it shares. Without image data, {@code image_path} names files relative
     * to the TSV file.
     */
    private static List<ImageRef> tsvImages(ObjectNode fields, Map<String, String> imageByIndex, Path dir) {
        String image = fields.path("image").asText("");
        if (!image.isEmpty()) {
            if (image.length() <= MAX_IMAGE_REFERENCE_LENGTH) {
                String shared = imageByIndex.get(image);
                if (shared == null || shared.length() <= MAX_IMAGE_REFERENCE_LENGTH) {
                    throw new SkipException("image cell refers to row index " + image + ", which has no image data");
                }
                image = shared;
            }
            return inlineImages(image);
        }
        String paths = fields.path("image_path").asText("");
        if (paths.isEmpty()) {
            return List.of();
        }
        Optional<List<String>> list = PythonLiteral.stringList(paths);
        if (list.isEmpty()) {
            return List.of(new ImageRef.File("image_path", dir.resolve(paths)));
        }
        List<ImageRef> images = new ArrayList<>();
        for (int i = 0; i < list.get().size(); i++) {
            images.add(new ImageRef.File("image_path[" + i + "]", dir.resolve(list.get().get(i))));
        }
        return images;
    }

    private static List<ImageRef> inlineImages(String image) {
        if (!image.startsWith("[")) {
            return List.of(new ImageRef.Base64Text("image", image));
        }
        List<String> list = PythonLiteral.stringList(image)
                .orElseThrow(() -> new SkipException("image cell starts with '[' but is not a list of base64 images"));
        List<ImageRef> images = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            images.add(new ImageRef.Base64Text("image[" + i + "]", list.get(i)));
        }
        return images;
    }

    private static Path parent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("") : parent;
    }
}
