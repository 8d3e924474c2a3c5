package dev.jvlm.data;

import dev.jvlm.text.ChatTemplate;
import dev.jvlm.text.ChatTemplateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds where each assistant message's text lies in a rendered conversation, using only the chat
 * template itself, so that any family's template works without a per-template rule.
 *
 * <p>For assistant message {@code i}, the conversation up to it is rendered with
 * {@code add_generation_prompt=true}: where that prefix stops agreeing with the full rendering is where
 * the assistant's turn starts (after the header the template writes for a reply). The message's text
 * is searched for from there. Templates often strip the text ({@code | trim}, {@code .strip()}), so the
 * stripped text is searched and then widened by the original's leading and trailing whitespace where
 * the rendering holds it too. Each span starts after the previous one, so repeated answers ("Yes")
 * cannot match an earlier turn.
 */
final class AssistantSpans {

    /** A half-open character range of the rendered text. */
    record Span(int start, int end) {
    }

    private AssistantSpans() {
    }

    /**
     * One span per non-blank text part of every assistant message, in order.
     *
     * @throws SampleException when a text part does not appear in the rendering (the template rewrites it)
     */
    static List<Span> locate(ChatTemplate template, List<Map<String, Object>> templateMessages, List<Message> messages,
                             String rendered, Map<String, Object> variables, String origin) {
        List<Span> spans = new ArrayList<>();
        int cursor = 0;
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            if (!message.role().equals("assistant")) {
                continue;
            }
            int from = Math.max(cursor, turnStart(template, templateMessages.subList(0, i), rendered, variables));
            boolean anyText = false;
            for (Part part : message.parts()) {
                if (!(part instanceof Part.Text text) || text.text().isBlank()) {
                    continue;
                }
                anyText = true;
                Span span = find(rendered, text.text(), from);
                if (span == null) {
                    throw new SampleException(origin + ": assistant message " + (i + 1) + " (\"" + abbreviate(text.text())
                            + "\") does not appear verbatim in the rendered conversation after character " + from
                            + "; the chat template rewrites it, so its tokens cannot be labelled");
                }
                spans.add(span);
                from = span.end();
            }
            if (!anyText) {
                throw new SampleException(origin + ": assistant message " + (i + 1) + " has no text to learn");
            }
            cursor = from;
        }
        return spans;
    }

    /**
     * Length of the common prefix of the full rendering and the rendering of the messages before an
     * assistant turn with the generation prompt; 0 when the template refuses that prefix (e.g. one
     * that requires a system message first or a conversation ending with an assistant).
     */
    private static int turnStart(ChatTemplate template, List<Map<String, Object>> before, String rendered,
                                 Map<String, Object> variables) {
        String prefix;
        try {
            prefix = template.render(before, true, variables);
        } catch (ChatTemplateException e) {
            return 0;
        }
        int n = Math.min(prefix.length(), rendered.length());
        int k = 0;
        while (k < n && prefix.charAt(k) == rendered.charAt(k)) {
            k++;
        }
        return k;
    }

    /** The span of {@code text} (or its stripped form) at or after {@code from}, or null. */
    static Span find(String rendered, String text, int from) {
        String stripped = text.strip();
        int at = rendered.indexOf(stripped, from);
        if (at < 0) {
            return null;
        }
        int end = at + stripped.length();
        String leading = text.substring(0, text.indexOf(stripped));
        String trailing = text.substring(text.indexOf(stripped) + stripped.length());
        if (at - leading.length() >= from && rendered.startsWith(leading, at - leading.length())) {
            at -= leading.length();
        }
        if (rendered.startsWith(trailing, end)) {
            end += trailing.length();
        }
        return new Span(at, end);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
