package dev.jvlm.io;

import dev.jvlm.JvlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Resolves what a user passes as {@code --model}: a directory, or a Hub id {@code org/name} found in
 * the local Hugging Face cache. jvlm never downloads.
 */
public final class ModelLocator {
    private ModelLocator() {
    }

    public static Path resolve(String model) {
        Path asPath = Path.of(model);
        if (Files.isDirectory(asPath)) {
            return asPath;
        }
        if (model.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            Path cache = hubCache();
            Path repo = cache.resolve("models--" + model.replace("/", "--"));
            Path snapshot = snapshot(repo);
            if (snapshot != null) {
                return snapshot;
            }
            throw new JvlmException("model \"" + model + "\" is neither a directory nor in the Hugging Face cache at "
                    + cache + " (jvlm does not download; fetch it with `huggingface-cli download " + model + "` elsewhere and copy it)");
        }
        throw new JvlmException("model directory " + model + " does not exist");
    }

    /**
     * HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. The system property
     * {@code jvlm.hubCache} overrides all three (embedding applications and tests).
     */
    static Path hubCache() {
        String override = System.getProperty("jvlm.hubCache");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String hub = System.getenv("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) {
            return Path.of(hub);
        }
        String home = System.getenv("HF_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "hub");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    private static Path snapshot(Path repo) {
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return null;
        }
        try {
            Path ref = repo.resolve("refs").resolve("main");
            if (Files.isRegularFile(ref)) {
                Path p = snapshots.resolve(Files.readString(ref).trim());
                if (Files.isDirectory(p)) {
                    return p;
                }
            }
            try (Stream<Path> s = Files.list(snapshots)) {
                return s.filter(Files::isDirectory).max((a, b) -> {
                    try {
                        return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
                    } catch (IOException e) {
                        return 0;
                    }
                }).orElse(null);
            }
        } catch (IOException e) {
            throw new JvlmException(repo + ": cannot read the Hugging Face cache entry (" + e.getMessage() + ")", e);
        }
    }
}
