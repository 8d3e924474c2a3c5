package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounded queue, cancellation on disconnect and timeout, many clients at once, and graceful shutdown. */
@Timeout(120)
class ConcurrencyTest {
    /** Long replies (up to the context), a batch of {@code maxBatch}, a queue of {@code queue} and the given timeout and grace. */
    static ServerOptions options(int maxBatch, int queue, Duration timeout, Duration grace) {
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
            assertEquals("HTTP/1.1 200 OK", streamThenHangUp(server, 1000));
            waitFor(server, "jvlm_chat_requests_cancelled_total 1");
            waitFor(server, "jvlm_requests_running 0");
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
            waitFor(server, "jvlm_requests_running 0");
        }
    }

    @Test
    void shutdownLetsInFlightRequestsFinish() throws Exception {
        VlmServer server = TestServer.start(options(4, 4, Duration.ofMinutes(2), Duration.ofSeconds(60)));
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TestServer.Response> inFlight = clients.submit(() -> TestServer.post(server, "/v1/chat/completions",
                    TestServer.chatBody("\"max_tokens\": 1000, \"temperature\": 0, \"stream\": true")));
            waitFor(server, "jvlm_requests_running 1");
            Future<?> closing = clients.submit(server::close);
            TestServer.Response r = inFlight.get();
            assertEquals(200, r.status());
            assertTrue(r.body().endsWith("data: [DONE]\n\n"), "the stream was finished, not cut");
            closing.get();
        }
    }

    @Test
    void sixteenStreamingClientsSomeHangingUpAllCompleteOrAreRefused() throws Exception {
        try (VlmServer server = TestServer.start(options(8, 4, Duration.ofMinutes(2), Duration.ofSeconds(5)));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                boolean hangUp = i % 3 == 0;
                outcomes.add(clients.submit(() -> {
                    if (hangUp) {
                        return streamThenHangUp(server, 200);
                    }
                    TestServer.Response r = TestServer.post(server, "/v1/chat/completions",
                            TestServer.chatBody("\"max_tokens\": 20, \"stream\": true"));
                    assertTrue(r.status() == 429 || r.body().endsWith("data: [DONE]\n\n"), r.body());
                    return "HTTP " + r.status();
                }));
            }
            for (Future<String> outcome : outcomes) {
                String status = outcome.get();
                assertTrue(status.contains("200") || status.contains("429"), status);
            }
            waitFor(server, "jvlm_requests_running 0");
            waitFor(server, "jvlm_queue_depth 0");
            assertEquals(200, TestServer.post(server, "/v1/chat/completions", TestServer.chatBody("")).status());
        }
    }

    /**
     * Sends a streaming request over a raw socket, reads until the first text event (or the end of a
     * refusal) and closes the connection; returns the status line.
     */
    private static String streamThenHangUp(VlmServer server, int maxTokens) throws IOException {
        byte[] body = TestServer.chatBody("\"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"stream\": true")
                .getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            if (status.startsWith("HTTP/1.1 200")) {
                String line;
                while ((line = in.readLine()) != null && !line.contains("\"content\":\"")) {
                    // headers and chunk sizes, until the first event
                }
            }
            return status;
        }
    }

    /** Polls /metrics until it has a line equal to {@code line} (the test's own timeout bounds the wait). */
    private static void waitFor(VlmServer server, String line) {
        while (TestServer.get(server, "/metrics").body().lines().noneMatch(line::equals)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
