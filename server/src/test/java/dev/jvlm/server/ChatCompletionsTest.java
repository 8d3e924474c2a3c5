package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.io.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAI endpoints over raw HTTP: JSON answers, SSE framing, the model id, health and metrics. */
class ChatCompletionsTest {
    static VlmServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.options());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void answersWithAnImageAndCountsTheImageTokens() {
        String parts = "[{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + TestServer.pngDataUrl() + "\"}},"
                + " {\"type\": \"text\", \"text\": \"What is in the picture?\"}]";
        TestServer.Response withImage = TestServer.post(server, "/v1/chat/completions", "{\"model\": \"tiny-qwen2-vl\","
                + " \"messages\": [{\"role\": \"user\", \"content\": " + parts + "}], \"max_completion_tokens\": 4}");
        assertEquals(200, withImage.status(), withImage.body());
        JsonNode body = withImage.json();
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals("tiny-qwen2-vl", body.get("model").asText());
        JsonNode choice = body.get("choices").get(0);
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertTrue(choice.get("message").get("content").isTextual());
        JsonNode usage = body.get("usage");
        int completion = usage.get("completion_tokens").asInt();
        assertTrue(completion >= 1 && completion <= 4, usage.toString());
        assertEquals(completion < 4 ? "stop" : "length", choice.get("finish_reason").asText());
        assertEquals(usage.get("prompt_tokens").asInt() + completion, usage.get("total_tokens").asInt());

        TestServer.Response textOnly = TestServer.post(server, "/v1/chat/completions", "{\"model\": \"tiny-qwen2-vl\","
                + " \"messages\": [{\"role\": \"user\", \"content\": \"What is in the picture?\"}], \"max_tokens\": 4}");
        // The 61x45 image becomes 4 image pads between a vision start and end token.
        assertEquals(usage.get("prompt_tokens").asInt(), textOnly.json().get("usage").get("prompt_tokens").asInt() + 6);
    }

    @Test
    void streamsServerSentEventsEndingInDone() {
        TestServer.Response r = TestServer.post(server, "/v1/chat/completions",
                TestServer.chatBody("\"stream\": true, \"stream_options\": {\"include_usage\": true}, \"max_tokens\": 5, \"temperature\": 0"));
        assertEquals(200, r.status(), r.body());
        assertTrue(r.headers().get("content-type").getFirst().startsWith("text/event-stream"));
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        List<JsonNode> chunks = new ArrayList<>();
        for (String event : r.body().split("\n\n")) {
            assertTrue(event.startsWith("data: "), "every event is one data line: " + event);
            if (!event.equals("data: [DONE]")) {
                chunks.add(Json.parse(event.substring(6), "event"));
            }
        }
        assertEquals("assistant", chunks.getFirst().get("choices").get(0).get("delta").get("role").asText());
        JsonNode usageChunk = chunks.getLast();
        assertEquals(0, usageChunk.get("choices").size());
        JsonNode last = chunks.get(chunks.size() - 2).get("choices").get(0);
        assertTrue(last.get("finish_reason").isTextual());
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> c.get("choices").forEach(ch -> text.append(ch.get("delta").path("content").asText(""))));

        TestServer.Response plain = TestServer.post(server, "/v1/chat/completions",
                TestServer.chatBody("\"max_tokens\": 5, \"temperature\": 0"));
        JsonNode json = plain.json();
        assertEquals(json.get("choices").get(0).get("message").get("content").asText(), text.toString(), "streamed text = whole text");
        assertEquals(json.get("usage"), usageChunk.get("usage"));
    }

    @Test
    void seedMakesSamplingRepeatable() {
        String body = TestServer.chatBody("\"max_tokens\": 8, \"temperature\": 1.5, \"seed\": 7");
        String a = TestServer.post(server, "/v1/chat/completions", body).json().get("choices").get(0).get("message").get("content").asText();
        String b = TestServer.post(server, "/v1/chat/completions", body).json().get("choices").get(0).get("message").get("content").asText();
        assertEquals(a, b);
        String other = TestServer.post(server, "/v1/chat/completions", body.replace("\"seed\": 7", "\"seed\": 8"))
                .json().get("choices").get(0).get("message").get("content").asText();
        assertNotEquals(a, other, "another seed samples another reply (8 tokens from a random model at temperature 1.5)");
    }

    @Test
    void stopStringsEndTheReply() {
        JsonNode greedy = TestServer.post(server, "/v1/chat/completions", TestServer.chatBody("\"max_tokens\": 8, \"temperature\": 0")).json();
        String text = greedy.get("choices").get(0).get("message").get("content").asText();
        assertTrue(text.length() >= 3, text);
        String stop = text.substring(1, 3);
        JsonNode stopped = TestServer.post(server, "/v1/chat/completions",
                TestServer.chatBody("\"max_tokens\": 8, \"temperature\": 0, \"stop\": " + Json.MAPPER.valueToTree(stop))).json();
        assertEquals(text.substring(0, text.indexOf(stop)), stopped.get("choices").get(0).get("message").get("content").asText());
        assertEquals("stop", stopped.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void listsTheModelAndRefusesOthers() {
        JsonNode models = TestServer.get(server, "/v1/models").json();
        assertEquals("tiny-qwen2-vl", models.get("data").get(0).get("id").asText());
        assertEquals(200, TestServer.get(server, "/v1/models/tiny-qwen2-vl").status());
        TestServer.Response other = TestServer.post(server, "/v1/chat/completions",
                TestServer.chatBody("").replace("tiny-qwen2-vl", "gpt-4o"));
        assertEquals(404, other.status());
        assertEquals("model_not_found", other.json().get("error").get("code").asText());
        assertEquals("model", other.json().get("error").get("param").asText());
    }

    @Test
    void servedModelNameReplacesTheDirectoryName() {
        ServerOptions d = TestServer.options();
        ServerOptions named = new ServerOptions(d.host(), 0, "my-vlm", d.maxBodyBytes(), d.maxImageBytes(), d.maxImagePixels(),
                d.maxImagesPerRequest(), d.maxTokens(), d.maxBatch(), d.queueCapacity(), d.requestTimeout(), d.urlFetch(), d.urlFetchTimeout(),
                d.allowLocalFiles(), d.shutdownGrace());
        try (VlmServer s = TestServer.start(named)) {
            assertEquals(200, TestServer.post(s, "/v1/chat/completions", TestServer.chatBody("").replace("tiny-qwen2-vl", "my-vlm")).status());
            assertEquals(404, TestServer.post(s, "/v1/chat/completions", TestServer.chatBody("")).status());
        }
    }

    @Test
    void healthAndMetrics() {
        assertEquals("ok", TestServer.get(server, "/health").json().get("status").asText());
        TestServer.post(server, "/v1/chat/completions", TestServer.chatBody(""));
        TestServer.post(server, "/v1/chat/completions", "{");
        String metrics = TestServer.get(server, "/metrics").body();
        for (String series : List.of("jvlm_chat_requests_total{status=\"200\"}", "jvlm_chat_requests_total{status=\"400\"}",
                "jvlm_chat_request_errors_total", "jvlm_generated_tokens_total", "jvlm_queue_depth 0",
                "jvlm_chat_request_duration_seconds_bucket{le=\"+Inf\"}", "jvlm_time_to_first_token_seconds_count")) {
            assertTrue(metrics.contains(series), series + " in\n" + metrics);
        }
        assertTrue(metrics.lines().filter(l -> l.startsWith("jvlm_generated_tokens_total ")).anyMatch(l -> !l.endsWith(" 0")));
    }
}
