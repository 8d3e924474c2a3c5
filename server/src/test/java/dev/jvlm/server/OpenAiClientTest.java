package dev.jvlm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the running server, with an image, streaming and not. */
class OpenAiClientTest {
    static VlmServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.options());
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static ChatCompletionCreateParams.Builder withImage() {
        return ChatCompletionCreateParams.builder()
                .model("tiny-qwen2-vl")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(TestServer.pngDataUrl()).build()).build()),
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Describe the image.").build())))
                .maxCompletionTokens(6)
                .temperature(0.0);
    }

    @Test
    void completesAndStreamsTheSameReply() {
        ChatCompletion completion = client.chat().completions().create(withImage().build());
        String text = completion.choices().getFirst().message().content().orElseThrow();
        long completionTokens = completion.usage().orElseThrow().completionTokens();
        assertTrue(completionTokens >= 1 && completionTokens <= 6);
        assertEquals("tiny-qwen2-vl", completion.model());

        StringBuilder streamed = new StringBuilder();
        AtomicLong usageTokens = new AtomicLong(-1);
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                withImage().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(u -> usageTokens.set(u.completionTokens()));
            });
        }
        assertEquals(text, streamed.toString());
        assertEquals(completionTokens, usageTokens.get());
    }

    @Test
    void unknownModelIsNotFound() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(withImage().model("gpt-4o").build()));
        assertTrue(e.getMessage().contains("gpt-4o"), e.getMessage());
    }

    @Test
    void listsTheModel() {
        assertEquals("tiny-qwen2-vl", client.models().list().data().getFirst().id());
    }
}
