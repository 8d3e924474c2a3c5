package dev.jvlm.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece's unigram model: the segmentation with the highest total piece score (Viterbi),
 * characters outside the vocabulary scoring {@code min score - 10} as the unknown token, runs of
 * unknown characters fused into one token, and optionally byte fallback for them.
 */
final class UnigramModel implements Model {

    /** tokenizers' penalty for an unknown character relative to the worst piece. */
    private static final double UNKNOWN_PENALTY = 10.0;

    private final String[] pieces;
    private final double[] scores;
    private final Map<String, Integer> ids;
    private final int unkId;
    private final boolean byteFallback;
    private final double unknownScore;
    private final CharTrie trie = new CharTrie();

    UnigramModel(List<String> pieces, List<Double> scores, Integer unkId, boolean byteFallback, String where) {
        this.pieces = pieces.toArray(String[]::new);
        this.scores = new double[pieces.size()];
        this.ids = new HashMap<>(pieces.size() * 2);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < pieces.size(); i++) {
            this.scores[i] = scores.get(i);
            min = Math.min(min, this.scores[i]);
            ids.put(pieces.get(i), i);
            trie.put(pieces.get(i), i);
        }
        if (unkId != null && (unkId < 0 || unkId >= pieces.size())) {
            throw new TokenizerException(where + ": model Unigram: unk_id " + unkId + " is not in the vocabulary");
        }
        this.unkId = unkId == null ? -1 : unkId;
        this.byteFallback = byteFallback;
        this.unknownScore = min - UNKNOWN_PENALTY;
    }

    @Override
    public Tokens tokenize(String text) {
        if (text.isEmpty()) {
            return Tokens.EMPTY;
        }
        List<int[]> segments = viterbi(text);
        IntList outIds = new IntList(segments.size());
        IntList starts = new IntList(segments.size());
        IntList ends = new IntList(segments.size());
        for (int[] segment : segments) {
            String piece = text.substring(segment[0], segment[1]);
            Integer id = ids.get(piece);
            if (id == null && byteFallback && addBytes(piece, segment, outIds, starts, ends)) {
                continue;
            }
            if (id == null) {
                id = requireUnk(text);
            }
            outIds.add(id);
            starts.add(segment[0]);
            ends.add(segment[1]);
        }
        return new Tokens(outIds.toArray(), starts.toArray(), ends.toArray());
    }

    private boolean addBytes(String piece, int[] segment, IntList outIds, IntList starts, IntList ends) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] byteIds = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            Integer id = ids.get(String.format("<0x%02X>", bytes[i] & 0xFF));
            if (id == null) {
                return false;
            }
            byteIds[i] = id;
        }
        for (int id : byteIds) {
            outIds.add(id);
            starts.add(segment[0]);
            ends.add(segment[1]);
        }
        return true;
    }

    private int requireUnk(String text) {
        if (unkId < 0) {
            throw new TokenizerException("model Unigram: \"" + text + "\" contains a character outside the vocabulary and there is no unk_id");
        }
        return unkId;
    }

    /**
     * Best segmentation as {start, end} ranges, unknown runs fused. Scores accumulate left to right;
     * a later candidate replaces an earlier one for the same end only if strictly better.
     */
    private List<int[]> viterbi(String text) {
        int n = text.length();
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] pieceAt = new int[n + 1];
        Arrays.fill(from, -1);
        int start = 0;
        while (start < n) {
            int charLength = Character.charCount(text.codePointAt(start));
            boolean singleCharacterPiece = false;
            CharTrie.Node node = trie.root();
            for (int end = start; end < n; end++) {
                node = node.child(text.charAt(end));
                if (node == null) {
                    break;
                }
                int pieceId = node.value();
                if (pieceId >= 0) {
                    relax(best, from, pieceAt, start, end + 1, scores[pieceId] + best[start], pieceId);
                    if (end + 1 - start == charLength) {
                        singleCharacterPiece = true;
                    }
                }
            }
            if (!singleCharacterPiece) {
                relax(best, from, pieceAt, start, start + charLength, unknownScore + best[start], requireUnk(text));
            }
            start += charLength;
        }
        List<int[]> reversed = new ArrayList<>();
        int end = n;
        int unknownEnd = -1;
        while (end > 0) {
            int begin = from[end];
            if (pieceAt[end] == unkId) {
                if (unknownEnd < 0) {
                    unknownEnd = end;
                }
            } else {
                if (unknownEnd >= 0) {
                    reversed.add(new int[] {end, unknownEnd});
                    unknownEnd = -1;
                }
                reversed.add(new int[] {begin, end});
            }
            end = begin;
        }
        if (unknownEnd >= 0) {
            reversed.add(new int[] {0, unknownEnd});
        }
        return reversed.reversed();
    }

    private static void relax(double[] best, int[] from, int[] pieceAt, int start, int end, double score, int pieceId) {
        if (from[end] < 0 || score > best[end]) {
            best[end] = score;
            from[end] = start;
            pieceAt[end] = pieceId;
        }
    }

    @Override
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public String token(int id) {
        return id >= 0 && id < pieces.length ? pieces[id] : null;
    }

    @Override
    public int maxId() {
        return pieces.length - 1;
    }

    @Override
    public int entryCount() {
        return pieces.length;
    }
}
