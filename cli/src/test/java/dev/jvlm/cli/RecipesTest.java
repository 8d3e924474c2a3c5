package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.train.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every recipe shipped in recipes/ is valid against the schema. */
class RecipesTest {
    @Test
    void shippedRecipesParse() throws IOException {
        Path dir = Path.of(System.getProperty("jvlm.home"), "recipes");
        List<Path> recipes;
        try (Stream<Path> s = Files.list(dir)) {
            recipes = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(recipes.isEmpty());
        for (Path p : recipes) {
            Recipe r = Recipe.read(p, Map.of());
            assertTrue(r.options().maxSteps() > 0, p.toString());
        }
        assertTrue(recipes.stream().anyMatch(p -> p.getFileName().toString().startsWith("cord-v2")));
        assertTrue(recipes.stream().anyMatch(p -> p.getFileName().toString().startsWith("rdr-items")));
        assertTrue(recipes.stream().anyMatch(p -> p.getFileName().toString().startsWith("llava-instruct-mix")));
    }
}
