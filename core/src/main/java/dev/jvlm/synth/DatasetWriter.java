package dev.jvlm.synth;

import dev.jvlm.io.Dirs;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.tensor.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Writes a dataset directory. Everything goes to a hidden sibling directory first, which is renamed
 * to the output only when complete, so a failed or interrupted run never leaves a directory that
 * looks finished; on failure the partial directory is removed.
 */
final class DatasetWriter {
    private static final String MANIFEST = "synth.json";

    private DatasetWriter() {
    }

    static void write(SynthDataset dataset, Map<Split, Integer> counts, Path output, Function<Example, byte[]> images) {
        long total = 0;
        for (Split split : Split.values()) {
            int n = counts.getOrDefault(split, 0);
            if (n < 0) {
                throw new JvlmException("the " + split.key() + " split needs a non-negative number of examples, got " + n);
            }
            total += n;
        }
        if (total == 0) {
            throw new JvlmException("nothing to generate: every split has 0 examples");
        }
        Path target = output.toAbsolutePath().normalize();
        if (Files.exists(target) && !isEmptyDirectory(target)) {
            throw new JvlmException(output + " already exists and is not an empty directory; give a new output directory");
        }
        Path partial = null;
        try {
            Files.createDirectories(target.getParent());
            partial = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".partial-");
            Files.createDirectory(partial.resolve("images"));
            for (Split split : Split.values()) {
                writeSplit(dataset, split, counts.getOrDefault(split, 0), partial, images);
            }
            Files.writeString(partial.resolve(MANIFEST), manifest(dataset.config(), counts) + "\n");
            // An atomic move may refuse to replace a directory, even an empty one, so remove it first.
            Files.deleteIfExists(target);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            partial = null;
        } catch (DirectoryNotEmptyException e) {
            throw new JvlmException(output + " was filled while the dataset was being written; the dataset was not written", e);
        } catch (IOException e) {
            throw new JvlmException("cannot write the dataset to " + output + ": " + reason(e), e);
        } catch (UncheckedIOException e) {
            throw new JvlmException("cannot write the dataset to " + output + ": " + reason(e.getCause()), e);
        } finally {
            if (partial != null) {
                deleteTree(partial);
            }
        }
    }

    private static void writeSplit(SynthDataset dataset, Split split, int count, Path dir, Function<Example, byte[]> images)
            throws IOException {
        String[] lines = new String[count];
        Parallel.forEach(count, i -> {
            Example example = dataset.example(split, i);
            try {
                Files.write(dir.resolve(example.imagePath()), images.apply(example));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lines[i] = jsonLine(example);
        });
        // "\n" on every platform, so the files are byte-identical everywhere.
        Files.writeString(dir.resolve(split.key() + ".jsonl"), count == 0 ? "" : String.join("\n", lines) + "\n");
    }

    /** The llava-instruct / TRL conversation of one example, with its image path relative to the JSONL file. */
    static String jsonLine(Example example) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        ArrayNode messages = line.putArray("messages");
        ObjectNode user = messages.addObject().put("role", "user");
        ArrayNode userContent = user.putArray("content");
        userContent.addObject().put("type", "image");
        userContent.addObject().put("type", "text").put("text", example.question());
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        assistant.putArray("content").addObject().put("type", "text").put("text", example.answer());
        line.putArray("images").add(example.imagePath());
        line.put("question_type", example.type().key());
        line.put("answer", example.answer());
        line.put("id", example.id());
        return toJson(line);
    }

    private static String manifest(SynthConfig config, Map<Split, Integer> counts) {
        ObjectNode manifest = Json.MAPPER.createObjectNode();
        manifest.put("generator", "jvlm synth");
        manifest.put("seed", config.seed());
        manifest.put("image_size", config.imageSize());
        ArrayNode tasks = manifest.putArray("tasks");
        config.types().forEach(t -> tasks.add(t.key()));
        ObjectNode splits = manifest.putObject("splits");
        for (Split split : Split.values()) {
            splits.put(split.key(), counts.getOrDefault(split, 0));
        }
        return toJson(manifest);
    }

    private static String toJson(ObjectNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    /** The file system's complaint in words; its exceptions' messages are often just a path. */
    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> "permission denied on " + denied.getFile();
            case NoSuchFileException missing -> "no such file or directory: " + missing.getFile();
            case FileAlreadyExistsException inTheWay -> inTheWay.getFile() + " exists and is not a directory";
            case FileSystemException other when other.getReason() != null -> other.getFile() + ": " + other.getReason();
            default -> e.toString();
        };
    }

    private static boolean isEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new JvlmException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) {
        try {
            Dirs.deleteTree(root);
        } catch (IOException e) {
            // Cleanup is best effort: the original failure is what the user needs to see.
        }
    }
}
