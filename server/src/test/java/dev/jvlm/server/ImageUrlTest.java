package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jvlm.models.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** http(s) image URLs within size and time limits, --no-url-fetch, and local files only when allowed. */
class ImageUrlTest {
    static HttpServer images;
    static Path png;

    @BeforeAll
    static void serveImages() throws IOException {
        png = TestData.resource("vision/qwen2_vl/01_rgb_w61_h45.png");
        byte[] bytes = Files.readAllBytes(png);
        images = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        images.createContext("/cat.png", ex -> reply(ex, 200, bytes));
        images.createContext("/missing.png", ex -> reply(ex, 404, new byte[0]));
        images.createContext("/huge.png", ex -> reply(ex, 200, new byte[200_000]));
        images.createContext("/slow.png", ex -> {
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes, 0, 10);
                out.flush();
                Thread.sleep(3000);
                out.write(bytes, 10, bytes.length - 10);
            } catch (InterruptedException | IOException e) {
                // the server under test gave up, as it should
            }
        });
        images.start();
    }

    @AfterAll
    static void stop() {
        images.stop(0);
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static ServerOptions options(boolean urlFetch, boolean localFiles) {
        ServerOptions d = TestServer.options();
        return new ServerOptions(d.host(), 0, null, d.maxBodyBytes(), 100_000, d.maxImagePixels(), d.maxImagesPerRequest(),
                d.maxTokens(), d.maxBatch(), d.queueCapacity(), d.requestTimeout(), urlFetch, Duration.ofMillis(500), localFiles, d.shutdownGrace());
    }

    private static TestServer.Response ask(VlmServer server, String url) {
        return TestServer.post(server, "/v1/chat/completions", "{\"model\": \"tiny-qwen2-vl\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + url + "\"}}, {\"type\": \"text\", \"text\": \"x\"}]}]}");
    }

    @Test
    void fetchesHttpImagesWithinTheLimits() throws IOException {
        String base = "http://127.0.0.1:" + images.getAddress().getPort();
        try (VlmServer server = TestServer.start(options(true, false))) {
            assertEquals(200, ask(server, base + "/cat.png").status());
            TestServer.Response missing = ask(server, base + "/missing.png");
            assertEquals(400, missing.status());
            assertTrue(missing.json().get("error").get("message").asText().contains("404"), missing.body());
            assertEquals(413, ask(server, base + "/huge.png").status());
            TestServer.Response slow = ask(server, base + "/slow.png");
            assertEquals(400, slow.status());
            assertTrue(slow.json().get("error").get("message").asText().contains("took longer"), slow.body());
            assertEquals(400, ask(server, png.toString()).status(), "local files are off by default");
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            TestServer.Response refused = ask(server, "http://127.0.0.1:" + closed + "/cat.png");
            assertEquals(400, refused.status());
            assertTrue(refused.json().get("error").get("message").asText()
                    .startsWith("cannot fetch http://127.0.0.1:" + closed + "/cat.png: could not connect"), refused.body());
        }
    }

    @Test
    void noUrlFetchRefusesHttpAndLocalFilesNeedTheFlag() {
        try (VlmServer server = TestServer.start(options(false, true))) {
            TestServer.Response r = ask(server, "http://127.0.0.1:" + images.getAddress().getPort() + "/cat.png");
            assertEquals(400, r.status());
            assertTrue(r.json().get("error").get("message").asText().contains("--no-url-fetch"), r.body());
            assertEquals(200, ask(server, png.toString()).status(), r.body());
            assertEquals(200, ask(server, png.toUri().toString()).status());
        }
    }
}
