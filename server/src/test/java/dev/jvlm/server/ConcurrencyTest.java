package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounded queue, cancellation on disconnect and timeout, and graceful shutdown (many clients at once: BatchingTest). */
@Timeout(120)
class ConcurrencyTest {
    /** Long replies (up to the context), a batch of {@code maxBatch}, a queue of {@code queue} and the given timeout and grace. */
    private static ServerOptions options(int maxBatch, int queue, Duration timeout, Duration grace) {
        ServerOptions d = TestServer.options();
        return new ServerOptions(d.host(), 0, null, d.maxBodyBytes(), d.maxImageBytes(), d.maxImagePixels(), d.maxImagesPerRequest(),
                4096, maxBatch, queue, timeout, d.urlFetch(), d.urlFetchTimeout(), d.allowLocalFiles(), grace);
    }

    private static final String LONG = TestServer.chatBody("\"max_tokens\": 400, \"temperature\": 0");

    @Test
    void aFullQueueAnswers429WithRetryAfterAndTheRestComplete() throws Exception {
        try (VlmServer server = TestServer.start(options(1, 1, Duration.ofMinutes(2), Duration.ofSeconds(5)));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TestServer.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(clients.submit(() -> TestServer.post(server, "/v1/chat/completions", LONG)));
            }
            int ok = 0;
            int refused = 0;
            for (Future<TestServer.Response> f : answers) {
                TestServer.Response r = f.get();
                if (r.status() == 429) {
                    refused++;
                    assertEquals("1", r.headers().get("retry-after").getFirst());
                    assertEquals("rate_limit_error", r.json().get("error").get("type").asText());
                } else {
                    assertEquals(200, r.status(), r.body());
                    ok++;
                }
            }
            // One runs and one waits: of six sent at once, some are refused.
            assertTrue(ok >= 1 && refused >= 1 && ok + refused == 6, ok + " ok, " + refused + " refused");
            assertEquals(200, TestServer.post(server, "/v1/chat/completions", TestServer.chatBody("")).status(), "serving after");
        }
    }

    @Test
    void aClientThatDisconnectsCancelsItsGeneration() throws Exception {
        try (VlmServer server = TestServer.start(options(4, 4, Duration.ofMinutes(2), Duration.ofSeconds(5)))) {
            assertEquals("HTTP/1.1 200 OK", TestServer.streamThenHangUp(server, TestServer.chatBody("\"max_tokens\": 1000, \"temperature\": 0, \"stream\": true")));
            TestServer.waitFor(server, "jvlm_chat_requests_cancelled_total 1");
            TestServer.waitFor(server, "jvlm_requests_running 0");
            assertEquals(200, TestServer.post(server, "/v1/chat/completions", TestServer.chatBody("")).status());
        }
    }

    @Test
    void aRequestOverTheTimeoutIsCancelled() {
        try (VlmServer server = TestServer.start(options(4, 4, Duration.ofMillis(200), Duration.ofSeconds(5)))) {
            TestServer.Response r = TestServer.post(server, "/v1/chat/completions",
                    TestServer.chatBody("\"max_tokens\": 1000, \"temperature\": 0"));
            assertEquals(504, r.status(), r.body());
            assertEquals("request_timeout", r.json().get("error").get("code").asText());
            TestServer.waitFor(server, "jvlm_requests_running 0");
        }
    }

    @Test
    void shutdownLetsInFlightRequestsFinish() throws Exception {
        VlmServer server = TestServer.start(options(4, 4, Duration.ofMinutes(2), Duration.ofSeconds(60)));
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TestServer.Response> inFlight = clients.submit(() -> TestServer.post(server, "/v1/chat/completions",
                    TestServer.chatBody("\"max_tokens\": 1000, \"temperature\": 0, \"stream\": true")));
            TestServer.waitFor(server, "jvlm_requests_running 1");
            Future<?> closing = clients.submit(server::close);
            TestServer.Response r = inFlight.get();
            assertEquals(200, r.status());
            assertTrue(r.body().endsWith("data: [DONE]\n\n"), "the stream was finished, not cut");
            closing.get();
        }
    }
}
