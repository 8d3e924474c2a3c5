package dev.jvlm.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tokens added on top of the model vocabulary (tokenizer.json {@code added_tokens}): special
 * tokens such as {@code <|im_start|>} and others. They are cut out of the text before the model
 * sees it: first those matched against the raw input ({@code normalized: false}), then, after
 * normalization, those matched against normalized text. Matching is leftmost-longest.
 */
final class AddedVocabulary {

    /** One tokenizer.json added token. */
    record AddedToken(String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
                      boolean normalized) {
    }

    /** A piece of the input: plain text for the model, or an added token's text and id. */
    record Segment(NormalizedText text, int addedTokenId) {
        boolean isAddedToken() {
            return addedTokenId >= 0;
        }
    }

    private final Map<String, Integer> idsByContent = new HashMap<>();
    private final Map<Integer, AddedToken> tokensById = new HashMap<>();
    /** Normalized content of normalized tokens whose normalization changes them; used for decoding. */
    private final Map<Integer, String> normalizedContent = new HashMap<>();
    private final Set<String> specialContents = new HashSet<>();
    private final CharTrie rawTrie = new CharTrie();
    private final CharTrie normalizedTrie = new CharTrie();

    /**
     * Registers the tokens in file order, giving each the id tokenizers gives it: the model's id
     * when the content is in the model vocabulary, else the next id after the model's entries.
     * (tokenizers ignores the ids written in the file, only warning when they disagree.)
     */
    AddedVocabulary(List<AddedToken> tokens, Model model, Normalizer normalizer) {
        int nextId = model.entryCount();
        for (AddedToken token : tokens) {
            if (token.content().isEmpty()) {
                continue;
            }
            Integer id = idsByContent.get(token.content());
            if (id == null) {
                int modelId = model.id(token.content());
                id = modelId >= 0 ? modelId : nextId++;
            }
            if (token.normalized() && normalizer != null) {
                String normalizedText = normalizer.apply(NormalizedText.of(token.content())).text();
                if (!normalizedText.equals(token.content())) {
                    normalizedContent.put(id, normalizedText);
                }
            }
            idsByContent.put(token.content(), id);
            if (token.special()) {
                specialContents.add(token.content());
            }
            tokensById.put(id, token);
        }
        for (Map.Entry<Integer, AddedToken> e : tokensById.entrySet()) {
            AddedToken token = e.getValue();
            if (token.normalized()) {
                normalizedTrie.put(normalizedContent.getOrDefault(e.getKey(), token.content()), e.getKey());
            } else {
                rawTrie.put(token.content(), e.getKey());
            }
        }
    }

    /** The id of an added token's content, or -1. */
    int id(String content) {
        Integer id = idsByContent.get(content);
        return id == null ? -1 : id;
    }

    /** An added token's content for decoding (its normalized form if it is matched normalized), or null. */
    String decodingText(int id) {
        AddedToken token = tokensById.get(id);
        if (token == null) {
            return null;
        }
        return normalizedContent.getOrDefault(id, token.content());
    }

    /** An added token's content as written in the file, or null. */
    String content(int id) {
        AddedToken token = tokensById.get(id);
        return token == null ? null : token.content();
    }

    boolean isSpecial(String tokenText) {
        return specialContents.contains(tokenText);
    }

    int maxId() {
        int max = -1;
        for (int id : tokensById.keySet()) {
            max = Math.max(max, id);
        }
        return max;
    }

    /** Splits raw input on the added tokens matched without normalization. */
    List<Segment> splitRaw(NormalizedText input) {
        List<Segment> out = new ArrayList<>();
        split(input, rawTrie, out);
        return out;
    }

    /** Splits a normalized piece on the added tokens matched after normalization. */
    void splitNormalized(NormalizedText piece, List<Segment> out) {
        split(piece, normalizedTrie, out);
    }

    /**
     * tokenizers' {@code find_matches}: leftmost-longest matches, each possibly rejected as not a
     * single word, widened over whitespace on its left (not into the previous match) and/or right.
     */
    private void split(NormalizedText piece, CharTrie trie, List<Segment> out) {
        String text = piece.text();
        if (trie.isEmpty() || text.isEmpty()) {
            if (!text.isEmpty()) {
                out.add(new Segment(piece, -1));
            }
            return;
        }
        int[] value = new int[1];
        int segmentStart = 0;
        int i = 0;
        while (i < text.length()) {
            int matchEnd = trie.longestMatch(text, i, value);
            if (matchEnd < 0) {
                i++;
                continue;
            }
            int start = i;
            int stop = matchEnd;
            int id = value[0];
            AddedToken token = tokensById.get(id);
            i = matchEnd;
            if (token.singleWord()) {
                boolean wordBefore = start > 0 && UnicodeProps.isWordChar(text.codePointBefore(start));
                boolean wordAfter = stop < text.length() && UnicodeProps.isWordChar(text.codePointAt(stop));
                if (wordBefore || wordAfter) {
                    continue;
                }
            }
            if (token.lstrip()) {
                int newStart = start;
                while (newStart > 0 && UnicodeProps.isWhiteSpace(text.codePointBefore(newStart))) {
                    newStart -= Character.charCount(text.codePointBefore(newStart));
                }
                start = Math.max(newStart, segmentStart);
            }
            if (token.rstrip()) {
                while (stop < text.length() && UnicodeProps.isWhiteSpace(text.codePointAt(stop))) {
                    stop += Character.charCount(text.codePointAt(stop));
                }
            }
            if (segmentStart < start) {
                out.add(new Segment(piece.slice(segmentStart, start), -1));
            }
            out.add(new Segment(piece.slice(start, stop), id));
            segmentStart = stop;
            i = Math.max(i, stop);
        }
        if (segmentStart < text.length()) {
            out.add(new Segment(piece.slice(segmentStart, text.length()), -1));
        }
    }
}
