package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.io.Json;
import dev.jvlm.models.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The playground in headless Chromium, driven by playwright-core (src/test/playground): drop an
 * image, send, see the reply stream in, start a new chat. Needs node, Debian's chromium (or
 * {@code CHROMIUM}) and {@code npm ci} in src/test/playground, which scripts/test installs; without them the test fails
 * rather than being skipped.
 */
class PlaygroundBrowserTest {
    private static final Path DRIVER = Path.of("src/test/playground");

    @Test
    void dropsAnImageAndStreamsAReply() throws IOException, InterruptedException {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        boolean ready = Files.isExecutable(chromium) && Files.isDirectory(DRIVER.resolve("node_modules/playwright-core"));
        assertTrue(ready, "the browser test needs " + chromium + " and npm ci in " + DRIVER + " (scripts/test installs both)");
        Path image = TestData.resource("vision/qwen2_vl/01_rgb_w61_h45.png");
        try (VlmServer server = TestServer.start(TestServer.options())) {
            Process node = new ProcessBuilder("node", "playground-test.mjs", "http://127.0.0.1:" + server.port() + "/",
                    image.toAbsolutePath().toString(), chromium.toString())
                    .directory(DRIVER.toFile()).redirectErrorStream(true).start();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(node.waitFor(2, TimeUnit.MINUTES), output);
            assertEquals(0, node.exitValue(), output);
            JsonNode result = Json.parse(output.lines().reduce((a, b) -> b).orElse(""), "playground driver output");
            assertEquals(server.modelId(), result.get("model").asText());
            assertTrue(result.get("error").isNull(), output);
            assertEquals(1, result.get("userImages").asInt(), "the dropped image is shown with the message");
            assertFalse(result.get("text").asText().isEmpty(), output);
            assertTrue(result.get("updates").asInt() >= 2, "the reply arrived in more than one piece: " + output);
            assertEquals(0, result.get("messagesAfterNewChat").asInt());
            assertEquals(0, result.get("consoleErrors").size(), output);
        }
    }
}
