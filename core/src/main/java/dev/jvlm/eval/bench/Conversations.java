package dev.jvlm.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the question and answer of a conversation record, so that chat-formatted benchmark files
 * can be evaluated like {@code {"question", "answer"}} ones: TRL / llava-instruct-mix
 * {@code messages} (roles user and assistant, content a string or a list of text and image parts)
 * and LLaVA {@code conversations} ({@code from} human and gpt, {@code <image>} marking the image).
 * The first user turn is the question and the assistant turn after it the answer; later turns are
 * not evaluated.
 */
final class Conversations {
    private static final String LLAVA_IMAGE_TOKEN = "<image>";

    private Conversations() {
    }

    /** Sets {@code question} (and {@code answer}, when absent) from the record's conversation, if it has one. */
    static void addQuestionAndAnswer(ObjectNode fields) {
        if (fields.hasNonNull("question")) {
            return;
        }
        JsonNode messages = fields.hasNonNull("messages") ? fields.get("messages") : fields.get("conversations");
        if (messages == null || messages.isNull()) {
            return;
        }
        if (!messages.isArray()) {
            throw new SkipException("field 'messages' must be a list of messages");
        }
        int user = indexOf(messages, 0, "user", "human");
        if (user < 0) {
            throw new SkipException("the conversation has no user turn to take the question from");
        }
        fields.put("question", text(messages.get(user)));
        int assistant = indexOf(messages, user + 1, "assistant", "gpt");
        if (!fields.hasNonNull("answer") && assistant >= 0) {
            fields.put("answer", text(messages.get(assistant)));
        }
    }

    private static int indexOf(JsonNode messages, int from, String role, String llavaRole) {
        for (int i = from; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String speaker = message.path("role").asText(message.path("from").asText(""));
            if (speaker.equals(role) || speaker.equals(llavaRole)) {
                return i;
            }
        }
        return -1;
    }

    /** The text of a message: its string content (LLaVA image tokens removed) or its text parts joined by newlines. */
    private static String text(JsonNode message) {
        JsonNode content = message.has("content") ? message.get("content") : message.get("value");
        if (content != null && content.isTextual()) {
            return content.asText().replace(LLAVA_IMAGE_TOKEN, "").strip();
        }
        if (content == null || !content.isArray()) {
            throw new SkipException("a message's content must be text or a list of parts");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode part : content) {
            if (part.path("type").asText().equals("text")) {
                texts.add(part.path("text").asText());
            }
        }
        return String.join("\n", texts);
    }
}
