package dev.jvlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.api.Vlm;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TestData;
import dev.jvlm.tensor.DType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * A random Qwen2-VL (2 layers, width 64, context 1024) with the real Qwen tokenizer, chat template and
 * image processor, built once per test JVM, and helpers to serve it and talk to it over HTTP.
 */
final class TestServer {
    static final String MODEL_NAME = "tiny-qwen2-vl";
    private static Vlm vlm;

    private TestServer() {
    }

    /** The model, built on first use in a temporary folder named {@link #MODEL_NAME}. */
    static synchronized Vlm vlm() {
        if (vlm == null) {
            try {
                vlm = Vlm.load(buildModel().toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return vlm;
    }

    private static Path buildModel() throws IOException {
        Path ref = TestData.resource("models/qwen2_vl");
        // The reference config's small vocabulary, re-pointed at the real tokenizer's special tokens.
        Map<String, String> realTokenizer = Map.of("\"vocab_size\": 512", "\"vocab_size\": 151936",
                "\"image_token_id\": 502", "\"image_token_id\": 151655", "\"video_token_id\": 503", "\"video_token_id\": 151656",
                "\"vision_start_token_id\": 500", "\"vision_start_token_id\": 151652",
                "\"vision_end_token_id\": 501", "\"vision_end_token_id\": 151653",
                "\"bos_token_id\": 497", "\"bos_token_id\": 151643", "\"eos_token_id\": 498", "\"eos_token_id\": 151645");
        String config = Files.readString(ref.resolve("config.json"));
        for (Map.Entry<String, String> e : realTokenizer.entrySet()) {
            config = config.replace(e.getKey(), e.getValue());
        }
        Path tmp = Files.createTempDirectory("jvlm-server-test");
        Path configFile = Files.writeString(tmp.resolve("config.json"), config);
        Path files = Files.createDirectories(tmp.resolve("files"));
        Path tok = TestData.tokenizerDir("qwen3");
        Files.copy(tok.resolve("tokenizer.json"), files.resolve("tokenizer.json"));
        Files.copy(tok.resolve("tokenizer_config.json"), files.resolve("tokenizer_config.json"));
        Files.copy(TestData.resource("text/templates/qwen2_5_vl.jinja"), files.resolve("chat_template.jinja"));
        Files.copy(ref.resolve("preprocessor_config.json"), files.resolve("preprocessor_config.json"));
        ConfigNode root = ConfigNode.read(configFile);
        RandomWeights weights = new RandomWeights(0, 0.02, DType.F32);
        LanguageModel.create(root, weights);
        Path model = tmp.resolve(MODEL_NAME);
        ModelWriter.write(model, root, weights.tensors(), DType.F32, files);
        return model;
    }

    /** Default options on a free loopback port, with max_tokens at most (and by default) 8. */
    static ServerOptions options() {
        ServerOptions d = ServerOptions.defaults();
        return new ServerOptions("127.0.0.1", 0, null, d.maxBodyBytes(), d.maxImageBytes(), d.maxImagePixels(),
                d.maxImagesPerRequest(), 8, d.maxBatch(), d.queueCapacity(), d.requestTimeout(), d.urlFetch(), d.urlFetchTimeout(),
                d.allowLocalFiles(), Duration.ofSeconds(5));
    }

    static VlmServer start(ServerOptions options) {
        try {
            return VlmServer.start(vlm(), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pngDataUrl() {
        try {
            byte[] png = Files.readAllBytes(TestData.resource("vision/qwen2_vl/01_rgb_w61_h45.png"));
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A minimal valid request body (one user message) with {@code extra} JSON members appended. */
    static String chatBody(String extra) {
        return "{\"model\": \"" + MODEL_NAME + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]"
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    record Response(int status, Map<String, java.util.List<String>> headers, String body) {
        JsonNode json() {
            return Json.parse(body, "response");
        }
    }

    static Response post(VlmServer server, String path, String body) {
        return send(server, HttpRequest.newBuilder(uri(server, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static Response get(VlmServer server, String path) {
        return send(server, HttpRequest.newBuilder(uri(server, path)).GET());
    }

    static Response send(VlmServer server, HttpRequest.Builder request) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static URI uri(VlmServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /**
     * Sends a streaming request over a raw socket, reads until the first event (or the end of a
     * refusal) and closes the connection; returns the status line.
     */
    static String streamThenHangUp(VlmServer server, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
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
    static void waitFor(VlmServer server, String line) {
        while (get(server, "/metrics").body().lines().noneMatch(line::equals)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The value of the /metrics line starting with {@code series} and a space. */
    static double metric(VlmServer server, String series) {
        return get(server, "/metrics").body().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .orElseThrow(() -> new AssertionError("no metric " + series));
    }
}
