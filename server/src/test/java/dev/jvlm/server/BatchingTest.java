package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.api.Vlm;
import dev.jvlm.io.Json;
import dev.jvlm.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Continuous batching under load, on a random model as {@code jvlm init} makes it: the demo model's
 * tokenizer, chat template and vision tower around a small 4-layer text model with 8 KV heads of 128,
 * whose KV cache (32 KiB per token) makes every running request hold megabytes, so that a request the
 * server failed to let go of would show in the heap.
 */
@Timeout(300)
class BatchingTest {
    private static final String TEXT_CONFIG = """
            {"hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 4, "num_attention_heads": 8,
             "num_key_value_heads": 8, "head_dim": 128, "max_position_embeddings": 1024}""";
    /** KV cache bytes per token: 4 layers x keys and values x 8 heads x 128 x 4 bytes. */
    private static final long KV_BYTES_PER_TOKEN = 4 * 2 * 8 * 128 * 4;
    private static Vlm vlm;
    private static String imageUrl;

    @BeforeAll
    static void model() throws IOException {
        Path demo = Path.of(System.getProperty("jvlm.home"), "demo");
        Path dir = Files.createTempDirectory("jvlm-batching-test").resolve("batching-model");
        vlm = Vlm.load(ServeBenchmark.demoShapedModel(demo.resolve("model"), TEXT_CONFIG, DType.F32, 5, dir).toString());
        imageUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(demo.resolve("images/test_000001.png")));
    }

    private static ServerOptions options(int maxBatch, int queue) {
        ServerOptions d = ServerOptions.defaults();
        return new ServerOptions("127.0.0.1", 0, "batching", d.maxBodyBytes(), d.maxImageBytes(), d.maxImagePixels(),
                d.maxImagesPerRequest(), 512, maxBatch, queue, Duration.ofMinutes(4), false, d.urlFetchTimeout(), false,
                Duration.ofSeconds(5));
    }

    private static VlmServer start(ServerOptions options) {
        try {
            return VlmServer.start(vlm, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Request {@code i}: its own question and length; every third carries an image. */
    private static String request(int i, boolean stream) {
        String content = i % 3 == 0
                ? "[{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + imageUrl + "\"}}, {\"type\": \"text\", \"text\": \"How many circles? (" + i + ")\"}]"
                : "\"Is shape " + i + " a circle?\"";
        return "{\"model\": \"batching\", \"messages\": [{\"role\": \"user\", \"content\": " + content + "}], \"temperature\": 0,"
                + " \"max_tokens\": " + (20 + 9 * i) + ", \"stream\": " + stream + "}";
    }

    /** The reply text of a JSON or server-sent-events answer. */
    private static String replyText(TestServer.Response r) {
        assertEquals(200, r.status(), r.body());
        if (!r.body().startsWith("data: ")) {
            return r.json().get("choices").get(0).get("message").get("content").asText();
        }
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        StringBuilder text = new StringBuilder();
        for (String event : r.body().split("\n\n")) {
            if (!event.equals("data: [DONE]")) {
                JsonNode chunk = Json.parse(event.substring(6), "event");
                chunk.get("choices").forEach(c -> text.append(c.get("delta").path("content").asText("")));
            }
        }
        return text.toString();
    }

    /** Decode steps that ran with more than {@code rows} requests, from the batch-size histogram. */
    private static double stepsWithMoreThan(VlmServer server, int rows) {
        return TestServer.metric(server, "jvlm_decode_batch_size_count")
                - TestServer.metric(server, "jvlm_decode_batch_size_bucket{le=\"" + (double) rows + "\"}");
    }

    @Test
    void concurrentRequestsAreDecodedTogetherAndAnswerAsWhenServedOneAtATime() throws Exception {
        int n = 10;
        try (VlmServer server = start(options(16, 16))) {
            List<String> alone = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                alone.add(replyText(TestServer.post(server, "/v1/chat/completions", request(i, false))));
            }
            assertEquals(0, stepsWithMoreThan(server, 1), "one request at a time is never batched");
            List<Future<TestServer.Response>> answers = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    String body = request(i, i % 2 == 0);
                    answers.add(clients.submit(() -> TestServer.post(server, "/v1/chat/completions", body)));
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals(alone.get(i), replyText(answers.get(i).get()), "request " + i);
            }
            assertTrue(stepsWithMoreThan(server, 2) > 0, "some decode steps ran more than two requests together");
        }
    }

    @Test
    void sixteenStreamingClientsSomeHangingUpAllCompleteOrAreRefusedAndTheHeapReturnsToIdle() throws Exception {
        try (VlmServer server = start(options(8, 4))) {
            assertEquals(200, TestServer.post(server, "/v1/chat/completions", request(1, false)).status());
            // The first round grows what lives as long as the server (thread-local kernel buffers, the
            // tokenizer's cache, compiled code's constants); the second must leave the heap as it found it.
            List<String> first = sixteenClients(server);
            long idle = liveHeapBytes();
            List<String> second = sixteenClients(server);
            long after = liveHeapBytes();
            // A request that the server failed to let go of would keep its KV cache: (prompt + 120) x 32 KiB,
            // over 4 MiB. The tolerance is a quarter of that; between identical rounds the live heap moved by
            // up to about 350 KB (HTTP connection buffers that the JDK's client and server free on their own
            // schedule).
            long tolerance = 1 << 20;
            assertTrue(120 * KV_BYTES_PER_TOKEN >= 3.5 * tolerance);
            assertTrue(after - idle < tolerance, "live heap: " + idle + " bytes idle, " + after + " after 16 clients (first round "
                    + first + ", second " + second + ")");
            assertEquals(200, TestServer.post(server, "/v1/chat/completions", request(2, false)).status(), "serving after");
        }
    }

    /**
     * Sixteen clients at once on 8 batch places and 4 queue places, every fourth hanging up after the
     * first event; each must complete or be refused with 429. Returns the statuses, after the server is idle.
     */
    private static List<String> sixteenClients(VlmServer server) throws Exception {
        List<Future<String>> outcomes = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                String body = "{\"model\": \"batching\", \"messages\": [{\"role\": \"user\", \"content\": \"Client " + i
                        + " asks\"}], \"max_tokens\": 120, \"temperature\": 0.7, \"seed\": " + i + ", \"stream\": true,"
                        + " \"stream_options\": {\"include_usage\": true}}";
                boolean hangUp = i % 4 == 0;
                outcomes.add(clients.submit(() -> {
                    if (hangUp) {
                        return TestServer.streamThenHangUp(server, body);
                    }
                    TestServer.Response r = TestServer.post(server, "/v1/chat/completions", body);
                    if (r.status() == 429) {
                        assertEquals("1", r.headers().get("retry-after").getFirst());
                        assertEquals("rate_limit_error", r.json().get("error").get("type").asText());
                    } else {
                        assertEquals(200, r.status(), r.body());
                        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
                        String[] events = r.body().split("\n\n");
                        JsonNode usage = Json.parse(events[events.length - 2].substring(6), "usage event").get("usage");
                        assertEquals(120, usage.get("completion_tokens").asInt(), "this model has no end token: " + usage);
                    }
                    return "HTTP " + r.status();
                }));
            }
        }
        List<String> statuses = new ArrayList<>();
        for (Future<String> outcome : outcomes) {
            String status = outcome.get();
            assertTrue(status.contains("200") || status.contains("429"), status);
            statuses.add(status.replace("HTTP/1.1 ", "").replace("HTTP ", ""));
        }
        TestServer.waitFor(server, "jvlm_requests_running 0");
        TestServer.waitFor(server, "jvlm_queue_depth 0");
        TestServer.waitFor(server, "jvlm_kv_cache_bytes 0");
        return statuses;
    }

    /**
     * Bytes of live objects: the JVM's class histogram, which runs a full collection first and counts
     * only reachable objects, less the filler arrays that stand for the dead space the parallel
     * collector leaves in place. (The heap's "used" after {@code System.gc()} counts that dead space
     * too, and moved by one or two megabytes between identical rounds.)
     */
    private static long liveHeapBytes() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        long bytes = 0;
        for (String line : histogram.lines().toList()) {
            // "   12:          345          6789  java.lang.String (java.base@25)"
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":") && !fields[3].contains("FillerElement")) {
                bytes += Long.parseLong(fields[2]);
            }
        }
        return bytes;
    }
}
