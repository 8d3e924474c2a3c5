package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed and over-limit requests get OpenAI-style 4xx errors, and the server keeps serving. */
class BadRequestsTest {
    @TempDir
    static Path tmp;

    /** A request that must fail with {@code status}, naming {@code param} (null: none). */
    record Bad(String what, String body, int status, String param) {
    }

    private static String user(String content) {
        return "{\"model\": \"tiny-qwen2-vl\", \"messages\": [{\"role\": \"user\", \"content\": " + content + "}]}";
    }

    private static String image(String url) {
        return user("[{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + url + "\"}}, {\"type\": \"text\", \"text\": \"x\"}]");
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * A client that sends its whole body before it reads (as most do) gets the 413: the server reads
     * and drops the body (20 MB here, more than the loopback buffers hold) instead of closing the
     * connection under it, which reset the connection and failed the client's write.
     */
    @Test
    void aBodyFarOverTheLimitIsAnsweredNotReset() throws Exception {
        ServerOptions d = TestServer.options();
        ServerOptions limits = new ServerOptions(d.host(), 0, null, 256 * 1024, d.maxImageBytes(), d.maxImagePixels(),
                d.maxImagesPerRequest(), d.maxTokens(), d.maxBatch(), d.queueCapacity(), d.requestTimeout(), d.urlFetch(),
                d.urlFetchTimeout(), false, d.shutdownGrace());
        try (VlmServer server = TestServer.start(limits)) {
            String status = TestServer.streamThenHangUp(server, user("\"" + "x".repeat(20_000_000) + "\""));
            assertTrue(status.startsWith("HTTP/1.1 413"), status);
            assertEquals(200, TestServer.post(server, "/v1/chat/completions", user("\"hi\"")).status());
        }
    }

    @Test
    void malformedRequestsAreRefusedAndAGoodOneStillSucceeds() throws Exception {
        Path notImage = Files.writeString(tmp.resolve("notes.png"), "not an image");
        byte[] png = Files.readAllBytes(dev.jvlm.models.TestData.resource("vision/qwen2_vl/01_rgb_w61_h45.png"));
        String pngUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        String m = "\"model\": \"tiny-qwen2-vl\"";
        String msgs = "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";
        List<Bad> cases = new ArrayList<>(List.of(
                new Bad("empty body", "", 400, null),
                new Bad("truncated JSON", "{", 400, null),
                new Bad("trailing garbage", "{" + m + ", " + msgs + "} x", 400, null),
                new Bad("not JSON", "hello", 400, null),
                new Bad("JSON array", "[1, 2]", 400, null),
                new Bad("JSON string", "\"hi\"", 400, null),
                new Bad("JSON null", "null", 400, null),
                new Bad("duplicate key", "{" + m + ", " + m + ", " + msgs + "}", 400, null),
                new Bad("missing model", "{" + msgs + "}", 400, "model"),
                new Bad("model number", "{\"model\": 3, " + msgs + "}", 400, "model"),
                new Bad("unknown model", "{\"model\": \"gpt-4o\", " + msgs + "}", 404, "model"),
                new Bad("missing messages", "{" + m + "}", 400, "messages"),
                new Bad("null messages", "{" + m + ", \"messages\": null}", 400, "messages"),
                new Bad("messages object", "{" + m + ", \"messages\": {}}", 400, "messages"),
                new Bad("messages string", "{" + m + ", \"messages\": \"hi\"}", 400, "messages"),
                new Bad("empty messages", "{" + m + ", \"messages\": []}", 400, "messages"),
                new Bad("message not object", "{" + m + ", \"messages\": [\"hi\"]}", 400, "messages[0]"),
                new Bad("missing role", "{" + m + ", \"messages\": [{\"content\": \"hi\"}]}", 400, "messages[0].role"),
                new Bad("role number", "{" + m + ", \"messages\": [{\"role\": 1, \"content\": \"hi\"}]}", 400, "messages[0].role"),
                new Bad("unknown role", "{" + m + ", \"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}", 400, "messages[0].role"),
                new Bad("tool role", "{" + m + ", \"messages\": [{\"role\": \"tool\", \"content\": \"hi\"}]}", 400, "messages[0].role"),
                new Bad("missing content", "{" + m + ", \"messages\": [{\"role\": \"user\"}]}", 400, "messages[0].content"),
                new Bad("content number", user("42"), 400, "messages[0].content"),
                new Bad("content object", user("{}"), 400, "messages[0].content"),
                new Bad("part string", user("[\"hi\"]"), 400, "messages[0].content[0].type"),
                new Bad("part without type", user("[{\"text\": \"hi\"}]"), 400, "messages[0].content[0].type"),
                new Bad("unknown part type", user("[{\"type\": \"audio\", \"audio\": \"x\"}]"), 400, "messages[0].content[0].type"),
                new Bad("text part without text", user("[{\"type\": \"text\"}]"), 400, "messages[0].content[0].text"),
                new Bad("text part number", user("[{\"type\": \"text\", \"text\": 5}]"), 400, "messages[0].content[0].text"),
                new Bad("image_url missing", user("[{\"type\": \"image_url\"}]"), 400, "messages[0].content[0].image_url"),
                new Bad("image_url without url", user("[{\"type\": \"image_url\", \"image_url\": {}}]"), 400, "messages[0].content[0].image_url.url"),
                new Bad("image_url number", user("[{\"type\": \"image_url\", \"image_url\": 3}]"), 400, "messages[0].content[0].image_url"),
                new Bad("data URL of text", image("data:image/png;base64," + b64("not an image at all")), 400, "messages[0].content[0].image_url"),
                new Bad("data URL not base64", image("data:image/png,rawbytes"), 400, "messages[0].content[0].image_url"),
                new Bad("data URL bad base64", image("data:image/png;base64,@@@@"), 400, "messages[0].content[0].image_url"),
                new Bad("empty data URL", image("data:image/png;base64,"), 400, "messages[0].content[0].image_url"),
                new Bad("truncated PNG", image("data:image/png;base64," + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(png, 60))),
                        400, "messages[0].content[0].image_url"),
                new Bad("local file refused", image(notImage.toString()), 400, "messages[0].content[0].image_url"),
                new Bad("file URL refused", image(notImage.toUri().toString()), 400, "messages[0].content[0].image_url"),
                new Bad("ftp URL", image("ftp://example.com/cat.png"), 400, "messages[0].content[0].image_url"),
                new Bad("image in system message", "{" + m + ", \"messages\": [{\"role\": \"system\", \"content\": [{\"type\": \"image_url\", "
                        + "\"image_url\": {\"url\": \"" + pngUrl + "\"}}]}]}", 400, "messages[0].content[0]"),
                new Bad("too many images", user("[" + ("{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + pngUrl + "\"}},").repeat(9)
                        + "{\"type\": \"text\", \"text\": \"x\"}]"), 400, "messages[0].content[8]"),
                new Bad("stream string", "{" + m + ", " + msgs + ", \"stream\": \"yes\"}", 400, "stream"),
                new Bad("stream_options without stream", "{" + m + ", " + msgs + ", \"stream_options\": {\"include_usage\": true}}", 400, "stream_options"),
                new Bad("stream_options not object", "{" + m + ", " + msgs + ", \"stream\": true, \"stream_options\": 1}", 400, "stream_options"),
                new Bad("include_usage string", "{" + m + ", " + msgs + ", \"stream\": true, \"stream_options\": {\"include_usage\": \"y\"}}", 400,
                        "stream_options.include_usage"),
                new Bad("max_tokens string", "{" + m + ", " + msgs + ", \"max_tokens\": \"5\"}", 400, "max_tokens"),
                new Bad("max_tokens fraction", "{" + m + ", " + msgs + ", \"max_tokens\": 2.5}", 400, "max_tokens"),
                new Bad("max_tokens zero", "{" + m + ", " + msgs + ", \"max_tokens\": 0}", 400, "max_tokens"),
                new Bad("max_tokens negative", "{" + m + ", " + msgs + ", \"max_tokens\": -1}", 400, "max_tokens"),
                new Bad("max_tokens over the cap", "{" + m + ", " + msgs + ", \"max_tokens\": 100000}", 400, "max_tokens"),
                new Bad("max_tokens huge", "{" + m + ", " + msgs + ", \"max_tokens\": 1e400}", 400, "max_tokens"),
                new Bad("max_completion_tokens over", "{" + m + ", " + msgs + ", \"max_completion_tokens\": 9}", 400, "max_completion_tokens"),
                new Bad("temperature string", "{" + m + ", " + msgs + ", \"temperature\": \"hot\"}", 400, "temperature"),
                new Bad("temperature negative", "{" + m + ", " + msgs + ", \"temperature\": -0.5}", 400, "temperature"),
                new Bad("temperature too high", "{" + m + ", " + msgs + ", \"temperature\": 3}", 400, "temperature"),
                new Bad("top_p zero", "{" + m + ", " + msgs + ", \"top_p\": 0}", 400, "top_p"),
                new Bad("top_p above one", "{" + m + ", " + msgs + ", \"top_p\": 1.5}", 400, "top_p"),
                new Bad("top_p array", "{" + m + ", " + msgs + ", \"top_p\": [1]}", 400, "top_p"),
                new Bad("seed string", "{" + m + ", " + msgs + ", \"seed\": \"abc\"}", 400, "seed"),
                new Bad("seed fraction", "{" + m + ", " + msgs + ", \"seed\": 1.5}", 400, "seed"),
                new Bad("stop number", "{" + m + ", " + msgs + ", \"stop\": 5}", 400, "stop"),
                new Bad("stop list of numbers", "{" + m + ", " + msgs + ", \"stop\": [1, 2]}", 400, "stop"),
                new Bad("five stop strings", "{" + m + ", " + msgs + ", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", 400, "stop"),
                new Bad("n = 2", "{" + m + ", " + msgs + ", \"n\": 2}", 400, "n"),
                new Bad("n string", "{" + m + ", " + msgs + ", \"n\": \"1\"}", 400, "n"),
                new Bad("logprobs", "{" + m + ", " + msgs + ", \"logprobs\": true}", 400, "logprobs"),
                new Bad("tools", "{" + m + ", " + msgs + ", \"tools\": [{\"type\": \"function\"}]}", 400, "tools"),
                new Bad("top_k negative", "{" + m + ", " + msgs + ", \"top_k\": -3}", 400, "top_k"),
                new Bad("prompt over the context", user("\"" + "hello ".repeat(1100) + "\""), 400, "messages"),
                new Bad("body over the limit", user("\"" + "x".repeat(300_000) + "\""), 413, null),
                new Bad("image over the byte limit", image("data:image/png;base64," + "A".repeat(140_000)), 413, "messages[0].content[0].image_url")));
        ServerOptions d = TestServer.options();
        ServerOptions limits = new ServerOptions(d.host(), 0, null, 256 * 1024, 100_000, 1_000_000, d.maxImagesPerRequest(), d.maxTokens(),
                d.maxBatch(), d.queueCapacity(), d.requestTimeout(), d.urlFetch(), d.urlFetchTimeout(), false, d.shutdownGrace());
        try (VlmServer server = TestServer.start(limits)) {
            for (Bad bad : cases) {
                TestServer.Response r = TestServer.post(server, "/v1/chat/completions", bad.body());
                assertEquals(bad.status(), r.status(), bad.what() + ": " + r.body());
                JsonNode error = r.json().get("error");
                assertTrue(error.get("message").isTextual() && !error.get("message").asText().isBlank(), bad.what());
                assertTrue(error.get("type").isTextual(), bad.what());
                assertEquals(bad.param(), error.get("param").isNull() ? null : error.get("param").asText(), bad.what() + ": " + r.body());
            }
            TestServer.Response badBase64 = TestServer.post(server, "/v1/chat/completions", image("data:image/png;base64,@@@@"));
            assertEquals("invalid base64 in the image data URL (Illegal base64 character 40)",
                    badBase64.json().get("error").get("message").asText());
            TestServer.Response get = TestServer.get(server, "/v1/chat/completions");
            assertEquals(405, get.status());
            assertEquals(404, TestServer.get(server, "/v2/anything").status());
            assertEquals(404, TestServer.get(server, "/v1/models/gpt-4o").status());
            assertEquals(405, TestServer.send(server, HttpRequest.newBuilder(TestServer.uri(server, "/v1/models"))
                    .DELETE()).status());
            assertTrue(cases.size() + 4 >= 50, "at least 50 kinds of bad request");

            TestServer.Response good = TestServer.post(server, "/v1/chat/completions", image(pngUrl));
            assertEquals(200, good.status(), good.body());
            assertTrue(good.json().get("usage").get("completion_tokens").asInt() >= 1);
        }
    }
}
