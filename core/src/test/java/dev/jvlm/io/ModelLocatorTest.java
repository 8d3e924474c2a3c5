package dev.jvlm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLocatorTest {
    @TempDir
    Path dir;

    @Test
    void hubCacheLocationFollowsTheEnvironment() {
        Path home = dir.resolve("home");
        assertEquals(Path.of("/c"), ModelLocator.hubCache(Map.of("HF_HUB_CACHE", "/a", "HF_HOME", "/b"), home, "/c"));
        assertEquals(Path.of("/a"), ModelLocator.hubCache(Map.of("HF_HUB_CACHE", "/a", "HF_HOME", "/b"), home, null));
        assertEquals(Path.of("/b/hub"), ModelLocator.hubCache(Map.of("HF_HOME", "/b"), home, null));
        assertEquals(home.resolve(".cache/huggingface/hub"), ModelLocator.hubCache(Map.of(), home, null));
    }

    @Test
    void hubIdsResolveToTheSnapshotRefsMainNames() throws IOException {
        Path cache = dir.resolve("hub");
        Path repo = cache.resolve("models--acme--tiny");
        Files.createDirectories(repo.resolve("snapshots/aaa"));
        Path wanted = Files.createDirectories(repo.resolve("snapshots/bbb"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "bbb\n");
        assertEquals(wanted, ModelLocator.resolve("acme/tiny", cache));

        Path only = Files.createDirectories(cache.resolve("models--acme--single/snapshots/ccc"));
        assertEquals(only, ModelLocator.resolve("acme/single", cache));
    }

    @Test
    void ambiguousOrAbsentCacheEntriesAreErrors() throws IOException {
        Path cache = dir.resolve("hub");
        Files.createDirectories(cache.resolve("models--acme--two/snapshots/a"));
        Files.createDirectories(cache.resolve("models--acme--two/snapshots/b"));
        JvlmException two = assertThrows(JvlmException.class, () -> ModelLocator.resolve("acme/two", cache));
        assertTrue(two.getMessage().contains("no refs/main and 2 snapshots"), two.getMessage());
        JvlmException absent = assertThrows(JvlmException.class, () -> ModelLocator.resolve("acme/none", cache));
        assertTrue(absent.getMessage().contains("does not download"), absent.getMessage());
    }
}
