package dev.jvlm.io;

import dev.jvlm.JvlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Resolves what a user passes as {@code --model}: a directory, or a Hub id {@code org/name} found in
 * the local Hugging Face cache. jvlm never downloads.
 */
public final class ModelLocator {
    /** System property that overrides the cache location (embedding applications and tests). */
    public static final String HUB_CACHE_PROPERTY = "jvlm.hubCache";

    private ModelLocator() {
    }

    /** System property naming the jvlm installation (the launcher sets it), whose demo/model is the default model. */
    public static final String HOME_PROPERTY = "jvlm.home";

    /** A model given by the user, or the embedded default model when {@code model} is null. */
    public static Path resolve(String model) {
        if (model == null) {
            return defaultModel();
        }
        return resolve(model, hubCache(System.getenv(), Path.of(System.getProperty("user.home")),
                System.getProperty(HUB_CACHE_PROPERTY)));
    }

    /** jvlm's embedded demo model ({@code demo/model} of the installation). */
    public static Path defaultModel() {
        String home = System.getProperty(HOME_PROPERTY);
        Path dir = home == null ? null : Path.of(home, "demo", "model");
        if (dir == null || !Files.isRegularFile(dir.resolve("config.json"))) {
            throw new JvlmException("no --model given and no embedded model found" + (dir == null ? "" : " at " + dir)
                    + "; pass --model DIR (or run through the ./jvlm launcher)");
        }
        return dir;
    }

    /**
     * A directory as given, or the snapshot of a Hub id in {@code hubCache}: the one refs/main names,
     * or the only snapshot there is.
     */
    static Path resolve(String model, Path hubCache) {
        Path asPath = Path.of(model);
        if (Files.isDirectory(asPath)) {
            return asPath;
        }
        if (!model.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new JvlmException("model directory " + model + " does not exist");
        }
        Path repo = hubCache.resolve("models--" + model.replace("/", "--"));
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            throw new JvlmException("model \"" + model + "\" is neither a directory nor in the Hugging Face cache at " + hubCache
                    + " (jvlm does not download; fetch it with `huggingface-cli download " + model + "` elsewhere and copy it)");
        }
        try {
            Path ref = repo.resolve("refs").resolve("main");
            if (Files.isRegularFile(ref)) {
                Path snapshot = snapshots.resolve(Files.readString(ref).trim());
                if (!Files.isDirectory(snapshot)) {
                    throw new JvlmException(ref + " names snapshot " + snapshot.getFileName() + ", which is missing");
                }
                return snapshot;
            }
            List<Path> all;
            try (Stream<Path> s = Files.list(snapshots)) {
                all = s.filter(Files::isDirectory).toList();
            }
            if (all.size() != 1) {
                throw new JvlmException(repo + ": no refs/main and " + all.size() + " snapshots; pass the snapshot directory");
            }
            return all.getFirst();
        } catch (IOException e) {
            throw new JvlmException(repo + ": cannot read the Hugging Face cache entry (" + e.getMessage() + ")", e);
        }
    }

    /** The {@code override} if set, else $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
    static Path hubCache(Map<String, String> env, Path home, String override) {
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String hub = env.get("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) {
            return Path.of(hub);
        }
        String hfHome = env.get("HF_HOME");
        if (hfHome != null && !hfHome.isBlank()) {
            return Path.of(hfHome, "hub");
        }
        return home.resolve(".cache").resolve("huggingface").resolve("hub");
    }
}
