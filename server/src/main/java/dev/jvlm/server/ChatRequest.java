package dev.jvlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.api.Conversation;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.vision.DecodedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A validated {@code POST /v1/chat/completions} body for the served model. Every field is type-checked here so that a
 * wrong request fails with a 400 naming the field before it reaches the model.
 *
 * @param sampling the model's defaults overridden by the request; {@code maxNewTokens} is what the
 *                 client asked for (or the server cap) and is still clamped to the context left after the prompt
 */
record ChatRequest(Conversation conversation, SamplingParams sampling, boolean stream, boolean includeUsage) {
    private static final int MAX_STOP_STRINGS = 4;

    /** Roles a chat template understands; "developer" is OpenAI's newer name for "system". */
    private static final Map<String, String> ROLES = Map.of("system", "system", "developer", "system", "user", "user",
            "assistant", "assistant");

    /** Validates {@code body} for the model served as {@code modelId}; images are fetched and decoded here. */
    static ChatRequest parse(JsonNode body, String modelId, SamplingParams defaults, ServerOptions options, ImageSource images) {
        if (body == null || !body.isObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object");
        }
        String model = requiredString(body, "model");
        if (!model.equals(modelId)) {
            throw VlmServer.modelNotFound(model, "model");
        }
        int n = optionalInt(body, "n", 1);
        if (n != 1) {
            throw ApiError.invalid("n", "only n = 1 is supported, got " + n);
        }
        if (body.path("logprobs").asBoolean(false)) {
            throw ApiError.invalid("logprobs", "logprobs are not supported");
        }
        if (body.has("tools") && !body.get("tools").isNull()) {
            throw ApiError.invalid("tools", "tool calling is not supported");
        }
        boolean stream = optionalBoolean(body, "stream", false);
        boolean includeUsage = false;
        JsonNode streamOptions = body.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!streamOptions.isObject()) {
                throw ApiError.invalid("stream_options", "stream_options must be an object");
            }
            if (!stream) {
                throw ApiError.invalid("stream_options", "stream_options is only allowed with stream: true");
            }
            includeUsage = optionalBoolean(streamOptions, "include_usage", false, "stream_options.include_usage");
        }
        int maxTokens = maxTokens(body, options);
        double temperature = optionalNumber(body, "temperature", defaults.temperature());
        if (temperature < 0 || temperature > 2) {
            throw ApiError.invalid("temperature", "temperature must be between 0 and 2, got " + temperature);
        }
        double topP = optionalNumber(body, "top_p", defaults.topP());
        if (!(topP > 0 && topP <= 1)) {
            throw ApiError.invalid("top_p", "top_p must be in (0, 1], got " + topP);
        }
        int topK = optionalInt(body, "top_k", defaults.topK());
        if (topK < 0) {
            throw ApiError.invalid("top_k", "top_k must be >= 0, got " + topK);
        }
        // Without a seed, sampled replies differ from call to call, as OpenAI's do.
        long seed = body.has("seed") && !body.get("seed").isNull() ? longValue(body.get("seed"), "seed")
                : ThreadLocalRandom.current().nextLong();
        List<String> stops = stops(body.get("stop"));
        Conversation conversation = conversation(body.get("messages"), options, images);
        SamplingParams sampling = new SamplingParams(maxTokens, temperature, topK, topP, defaults.minP(),
                defaults.repetitionPenalty(), seed, defaults.stopTokenIds(), stops);
        return new ChatRequest(conversation, sampling, stream, includeUsage);
    }

    private static int maxTokens(JsonNode body, ServerOptions options) {
        String field = body.has("max_completion_tokens") && !body.get("max_completion_tokens").isNull()
                ? "max_completion_tokens" : "max_tokens";
        int maxTokens = optionalInt(body, field, options.maxTokens());
        if (maxTokens < 1 || maxTokens > options.maxTokens()) {
            throw ApiError.invalid(field, field + " must be between 1 and " + options.maxTokens() + ", got " + maxTokens);
        }
        return maxTokens;
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray() || stop.size() > MAX_STOP_STRINGS) {
            throw ApiError.invalid("stop", "stop must be a string or an array of at most " + MAX_STOP_STRINGS + " strings");
        }
        List<String> stops = new ArrayList<>();
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw ApiError.invalid("stop", "stop must be a string or an array of strings, found " + s.getNodeType());
            }
            stops.add(s.asText());
        }
        return stops;
    }

    private static Conversation conversation(JsonNode messages, ServerOptions options, ImageSource images) {
        if (messages == null || messages.isNull()) {
            throw ApiError.invalid("messages", "missing required field messages");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty array");
        }
        Conversation chat = new Conversation();
        int imageCount = 0;
        for (int i = 0; i < messages.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw ApiError.invalid(at, at + " must be an object with role and content");
            }
            String roleName = requiredString(message, "role", at + ".role");
            String role = ROLES.get(roleName);
            if (role == null) {
                throw ApiError.invalid(at + ".role", "unknown role \"" + roleName + "\"; expected system, developer, user or assistant");
            }
            StringBuilder text = new StringBuilder();
            List<DecodedImage> turnImages = new ArrayList<>();
            JsonNode content = message.get("content");
            if (content == null || content.isNull()) {
                throw ApiError.invalid(at + ".content", "missing content in " + at);
            } else if (content.isTextual()) {
                text.append(content.asText());
            } else if (content.isArray()) {
                for (int j = 0; j < content.size(); j++) {
                    String partAt = at + ".content[" + j + "]";
                    JsonNode part = content.get(j);
                    String type = part.isObject() ? requiredString(part, "type", partAt + ".type") : null;
                    if ("text".equals(type)) {
                        // Templates take one text per turn: several text parts are joined by newlines.
                        text.append(text.isEmpty() ? "" : "\n").append(requiredString(part, "text", partAt + ".text"));
                    } else if ("image_url".equals(type)) {
                        if (!role.equals("user")) {
                            throw ApiError.invalid(partAt, "images are accepted in user messages only");
                        }
                        if (++imageCount > options.maxImagesPerRequest()) {
                            throw ApiError.invalid(partAt, "more than " + options.maxImagesPerRequest() + " images in one request");
                        }
                        turnImages.add(images.load(imageUrl(part.get("image_url"), partAt + ".image_url"), partAt + ".image_url"));
                    } else {
                        throw ApiError.invalid(partAt + ".type", partAt + " must be an object with type \"text\" or \"image_url\"");
                    }
                }
            } else {
                throw ApiError.invalid(at + ".content", at + ".content must be a string or an array of content parts");
            }
            switch (role) {
                case "system" -> chat.system(text.toString());
                case "assistant" -> chat.assistant(text.toString());
                default -> chat.user(text.toString(), turnImages);
            }
        }
        return chat;
    }

    /** OpenAI sends {@code {"url": ...}}; some clients send the URL string itself. */
    private static String imageUrl(JsonNode imageUrl, String at) {
        if (imageUrl != null && imageUrl.isTextual()) {
            return imageUrl.asText();
        }
        if (imageUrl == null || !imageUrl.isObject()) {
            throw ApiError.invalid(at, at + " must be an object with a url");
        }
        return requiredString(imageUrl, "url", at + ".url");
    }

    private static String requiredString(JsonNode node, String field) {
        return requiredString(node, field, field);
    }

    private static String requiredString(JsonNode node, String field, String param) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw ApiError.invalid(param, "missing required field " + param);
        }
        if (!v.isTextual()) {
            throw ApiError.invalid(param, param + " must be a string, found " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return v.asText();
    }

    private static boolean optionalBoolean(JsonNode node, String field, boolean fallback) {
        return optionalBoolean(node, field, fallback, field);
    }

    private static boolean optionalBoolean(JsonNode node, String field, boolean fallback, String param) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid(param, param + " must be true or false");
        }
        return v.asBoolean();
    }

    private static double optionalNumber(JsonNode node, String field, double fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw ApiError.invalid(field, field + " must be a number");
        }
        return v.asDouble();
    }

    private static int optionalInt(JsonNode node, String field, int fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        long value = longValue(v, field);
        if (value != (int) value) {
            throw ApiError.invalid(field, field + " is out of range: " + value);
        }
        return (int) value;
    }

    private static long longValue(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.invalid(field, field + " must be an integer");
        }
        return v.asLong();
    }
}
