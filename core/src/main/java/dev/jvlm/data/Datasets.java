package dev.jvlm.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads training data into {@link Dataset}s. What a path holds decides the format:
 * <ul>
 * <li>{@code *.jsonl}: one JSON record per line ({@code *.json}: a JSON array of records);</li>
 * <li>{@code *.parquet}, or a folder holding parquet files (a Hugging Face dataset repository, read
 *     in sorted path order): one record per row;</li>
 * <li>any other folder: images with a caption file of the same name ({@code cat.png} + {@code cat.txt}).</li>
 * </ul>
 * Records follow a {@link DatasetSchema}, detected from the first record's fields unless given.
 * A record that cannot be used is skipped and counted with its reason (file, line or row, field);
 * a dataset that yields no sample at all is an error.
 */
public final class Datasets {

    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "bmp", "gif");

    private Datasets() {
    }

    /** The dataset at {@code path}, with its schema detected from the first record. */
    public static Dataset read(Path path) {
        return read(path, null);
    }

    /**
     * The dataset at {@code path}.
     *
     * @param schema how records become samples; null detects it from the first record's fields
     * @throws JvlmException when the path cannot be read, no schema fits, or no record is usable
     */
    public static Dataset read(Path path, DatasetSchema schema) {
        if (Files.isDirectory(path)) {
            List<Path> shards = parquetFiles(path);
            return shards.isEmpty() ? imageFolder(path) : records(path.toString(), shards, schema);
        }
        if (!Files.isRegularFile(path)) {
            throw new JvlmException(path + ": no such file or folder");
        }
        return records(path.toString(), List.of(path), schema);
    }

    private static Dataset records(String source, List<Path> files, DatasetSchema schema) {
        List<Sample> samples = new ArrayList<>();
        SkipLog skipped = new SkipLog();
        int records = 0;
        DatasetSchema detected = schema;
        for (Path file : files) {
            Path baseDir = file.toAbsolutePath().getParent();
            for (Record record : recordsOf(file, skipped)) {
                records++;
                if (detected == null) {
                    detected = DatasetSchema.detect(record.fields().keySet());
                    if (detected == null) {
                        throw new JvlmException(record.origin() + ": cannot tell the dataset schema from the fields "
                                + record.fields().keySet() + "; expected \"messages\" (conversations), \"image\" + \"text\" "
                                + "(captions) or \"image\" + \"ground_truth\" (Donut JSON)");
                    }
                }
                try {
                    samples.add(Records.toSample(record.fields(), detected, baseDir, record.origin()));
                } catch (SampleException e) {
                    skipped.skip(e.getMessage());
                }
            }
        }
        if (samples.isEmpty()) {
            throw new JvlmException(source + ": no usable sample in " + records + " records"
                    + (skipped.count() > 0 ? "; " + skipped.summary() : ""));
        }
        return new Dataset(source, samples, skipped);
    }

    /** A record's fields and where it is, e.g. "train.jsonl line 4". */
    private record Record(Map<String, Object> fields, String origin) {
    }

    private static List<Record> recordsOf(Path file, SkipLog skipped) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            List<Record> out = new ArrayList<>();
            List<Map<String, Object>> rows = ParquetRows.read(file);
            for (int r = 0; r < rows.size(); r++) {
                out.add(new Record(rows.get(r), file + " row " + r));
            }
            return out;
        }
        if (name.endsWith(".jsonl")) {
            return jsonLines(file, skipped);
        }
        if (name.endsWith(".json")) {
            return jsonArray(file);
        }
        throw new JvlmException(file + ": unknown dataset format; expected .jsonl, .json or .parquet, or a folder of "
                + "images with captions");
    }

    private static List<Record> jsonLines(Path file, SkipLog skipped) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new JvlmException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String origin = file + " line " + (i + 1);
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = Json.MAPPER.readTree(line);
                if (!node.isObject()) {
                    skipped.skip(origin + ": expected a JSON object, found " + node.getNodeType().name().toLowerCase(Locale.ROOT));
                    continue;
                }
                out.add(new Record(fields(node), origin));
            } catch (JsonProcessingException e) {
                skipped.skip(origin + ": invalid JSON at column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
            }
        }
        return out;
    }

    private static List<Record> jsonArray(Path file) {
        JsonNode root = Json.read(file);
        if (!root.isArray()) {
            throw new JvlmException(file + ": a .json dataset must be an array of records (use .jsonl for one record per line)");
        }
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            if (!node.isObject()) {
                throw new JvlmException(file + " record " + i + ": expected a JSON object");
            }
            out.add(new Record(fields(node), file + " record " + i));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(JsonNode object) {
        return (Map<String, Object>) Records.plain(object);
    }

    private static List<Path> parquetFiles(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new JvlmException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    /** Images with same-named .txt captions, as {@link DatasetSchema#CAPTIONS} samples. */
    private static Dataset imageFolder(Path dir) {
        List<Path> images;
        try (Stream<Path> list = Files.list(dir)) {
            images = list.filter(p -> Files.isRegularFile(p) && IMAGE_EXTENSIONS.contains(extension(p))).sorted().toList();
        } catch (IOException e) {
            throw new JvlmException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (images.isEmpty()) {
            throw new JvlmException(dir + ": neither parquet files nor images (" + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList())
                    + ") in this folder");
        }
        List<Sample> samples = new ArrayList<>();
        SkipLog skipped = new SkipLog();
        for (Path image : images) {
            String file = image.getFileName().toString();
            Path caption = image.resolveSibling(file.substring(0, file.lastIndexOf('.')) + ".txt");
            if (!Files.isRegularFile(caption)) {
                skipped.skip(image + ": no caption file " + caption.getFileName());
                continue;
            }
            String text;
            try {
                text = Files.readString(caption).strip();
            } catch (IOException e) {
                throw new JvlmException(caption + ": cannot read (" + e.getMessage() + ")", e);
            }
            if (text.isEmpty()) {
                skipped.skip(caption + ": empty caption");
                continue;
            }
            samples.add(Records.caption(new ImageSource.File(image), text, image.toString()));
        }
        if (samples.isEmpty()) {
            throw new JvlmException(dir + ": no image has a caption; " + skipped.summary());
        }
        return new Dataset(dir.toString(), samples, skipped);
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
